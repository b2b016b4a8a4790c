// Key Vault with RBAC authorization: the apps read secrets through Key Vault references
// (keyVaultUrl) with their own identities; no value is ever copied into app settings.

@description('Name of the vault: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the vault.')
param location string

@description('Tags of the vault.')
param tags object

@description('Principal IDs of the identities that read secrets (Key Vault Secrets User).')
param readerPrincipalIds string[]

@description('Object ID of a principal that manages secrets (Key Vault Secrets Officer); empty for none.')
param officerPrincipalId string = ''

@description('Type of officerPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param officerPrincipalType string = 'User'

@description('Days a deleted vault or secret stays recoverable; with purge protection it cannot be purged sooner.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Client secret of the web app\'s Entra registration, stored as the secret oidc-client-secret.')
@secure()
param webClientSecret string

var secretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
var secretsOfficer = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource clientSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = {
  parent: vault
  name: 'oidc-client-secret'
  properties: {
    value: webClientSecret
    contentType: 'text/plain'
  }
}

resource readers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in readerPrincipalIds: {
    name: guid(vault.id, principalId, secretsUser)
    scope: vault
    properties: {
      roleDefinitionId: secretsUser
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource officer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(officerPrincipalId)) {
  name: guid(vault.id, officerPrincipalId, secretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: secretsOfficer
    principalId: officerPrincipalId
    principalType: officerPrincipalType
  }
}

@description('Vault URI, e.g. https://kv-xyz.vault.azure.net/.')
output uri string = vault.properties.vaultUri

@description('Versionless URI of the web client secret, for a container app keyVaultUrl reference (follows rotation).')
output webClientSecretUri string = '${vault.properties.vaultUri}secrets/${clientSecret.name}'
