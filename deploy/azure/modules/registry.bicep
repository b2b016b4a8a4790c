// Azure Container Registry: images are pulled by managed identity (AcrPull), never with the admin user.

@description('Name of the registry: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param name string

@description('Region of the registry.')
param location string

@description('Tags of the registry.')
param tags object

@description('Registry tier.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param sku string = 'Basic'

@description('Principal IDs of the identities that pull images (AcrPull).')
param pullPrincipalIds string[]

var acrPull = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in pullPrincipalIds: {
    name: guid(registry.id, principalId, acrPull)
    scope: registry
    properties: {
      roleDefinitionId: acrPull
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

@description('Login server, e.g. crxyz.azurecr.io.')
output loginServer string = registry.properties.loginServer

@description('Name of the registry.')
output name string = registry.name
