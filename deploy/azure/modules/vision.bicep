// Azure AI Vision (Read OCR), called with the function's identity; local (key) auth is disabled.

@description('Name of the account; also its custom subdomain, which Entra ID auth requires.')
@minLength(2)
@maxLength(64)
param name string

@description('Region of the account.')
param location string

@description('Tags of the account.')
param tags object

@description('Pricing tier: F0 is free (one per subscription), S1 is pay per call.')
@allowed([
  'F0'
  'S1'
])
param sku string = 'S1'

@description('Principal IDs that call the service (Cognitive Services User).')
param userPrincipalIds string[]

var cognitiveUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a97b65f3-24c7-4388-baec-2e87135dc908')

resource account 'Microsoft.CognitiveServices/accounts@2026-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'ComputerVision'
  sku: {
    name: sku
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource users 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in userPrincipalIds: {
    name: guid(account.id, principalId, cognitiveUser)
    scope: account
    properties: {
      roleDefinitionId: cognitiveUser
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

@description('Endpoint of the account, e.g. https://cv-xyz.cognitiveservices.azure.com/.')
output endpoint string = account.properties.endpoint
