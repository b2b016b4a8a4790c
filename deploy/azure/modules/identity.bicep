// A user-assigned managed identity: one per app, so each gets only the roles it needs.

@description('Name of the identity.')
@minLength(3)
@maxLength(128)
param name string

@description('Region of the identity.')
param location string

@description('Tags of the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource ID of the identity, for identity blocks and registry/Key Vault references.')
output id string = identity.id

@description('Client ID of the identity; the apps read it from AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId

@description('Object ID of the identity\'s service principal, for role assignments.')
output principalId string = identity.properties.principalId
