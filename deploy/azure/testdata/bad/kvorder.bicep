// want: kv-order
// Key Vault references that race the role assignment letting their identity read the vault.
targetScope = 'subscription'

@description('Region.')
param location string

@description('Versionless URI of a secret.')
param secretUri string

@description('Image of the app.')
param image string

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-kv-order'
  location: location
}

module identity '../../modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-kv-order'
    location: location
    tags: {}
  }
}

module vault '../../modules/keyvault.bicep' = {
  name: 'vault'
  scope: rg
  params: {
    name: 'kv-order'
    location: location
    tags: {}
    readerPrincipalIds: [
      identity.outputs.principalId
    ]
    webClientSecret: 'not-a-secret'
  }
}

// No dependsOn at all: the app may be created before the grant.
module unordered '../../modules/containerapp.bicep' = {
  name: 'unordered'
  scope: rg
  params: {
    name: 'ca-unordered'
    location: location
    tags: {}
    environmentId: 'env'
    identityId: identity.outputs.id
    registryServer: 'cr.azurecr.io'
    image: image
    role: 'web'
    external: true
    env: []
    secretRefs: [
      {
        name: 'oidc-client-secret'
        keyVaultUrl: secretUri
        identity: identity.outputs.id
      }
    ]
  }
}

// dependsOn something that grants nothing.
module misordered '../../modules/containerapp.bicep' = {
  name: 'misordered'
  scope: rg
  params: {
    name: 'ca-misordered'
    location: location
    tags: {}
    environmentId: 'env'
    identityId: identity.outputs.id
    registryServer: 'cr.azurecr.io'
    image: image
    role: 'web'
    external: true
    env: []
    secretRefs: [
      {
        name: 'oidc-client-secret'
        keyVaultUrl: secretUri
        identity: identity.outputs.id
      }
    ]
  }
  dependsOn: [
    identity
  ]
}
