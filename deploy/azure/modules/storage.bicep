// Storage account for originals (documents) and Event Grid dead letters (deadletters).
// Entra ID only: shared keys are disabled, so there is no connection string to leak.

@description('Name of the account: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the account.')
param location string

@description('Tags of the account.')
param tags object

@description('Replication of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param sku string = 'Standard_LRS'

@description('Principal IDs that read and write documents (Storage Blob Data Contributor).')
param contributorPrincipalIds string[]

var documents = 'documents'
var deadletters = 'deadletters'
var blobContributor = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource documentsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: blobs
  name: documents
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' = {
  parent: blobs
  name: deadletters
  properties: {
    publicAccess: 'None'
  }
}

resource contributors 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in contributorPrincipalIds: {
    name: guid(documentsContainer.id, principalId, blobContributor)
    scope: documentsContainer
    properties: {
      roleDefinitionId: blobContributor
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

@description('Name of the account.')
output accountName string = account.name

@description('Resource ID of the account: the Event Grid system topic\'s source.')
output accountId string = account.id

@description('Container for originals, under the originals/ prefix.')
output documentsContainer string = documentsContainer.name

@description('Container for events Event Grid could not deliver.')
output deadLetterContainer string = deadLetterContainer.name
