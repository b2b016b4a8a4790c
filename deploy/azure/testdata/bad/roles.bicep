// want: least-privilege
@description('Principal to make all-powerful.')
param principalId string

var owner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')

resource everything 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: 'owner-${principalId}'
  properties: {
    roleDefinitionId: owner
    principalId: principalId
  }
}
