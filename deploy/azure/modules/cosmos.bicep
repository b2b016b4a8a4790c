// Cosmos DB for NoSQL, serverless, Entra ID only (local auth disabled). Data-plane access is a
// Cosmos SQL role assignment (Built-in Data Contributor), not an Azure RBAC role.

@description('Name of the account: 3-44 lowercase letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(44)
param name string

@description('Region of the account.')
param location string

@description('Tags of the account.')
param tags object

@description('Name of the database.')
param databaseName string = 'docpipe'

@description('Name of the container of documents, partitioned by /owner.')
param containerName string = 'documents'

@description('Principal IDs that read and write data (Cosmos DB Built-in Data Contributor).')
param dataPrincipalIds string[]

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2026-03-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2026-03-15' = {
  parent: database
  name: containerName
  properties: {
    resource: {
      id: containerName
      partitionKey: {
        paths: [
          '/owner'
        ]
        kind: 'Hash'
        version: 2
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/text/?'
          }
        ]
      }
    }
  }
}

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2026-03-15' existing = {
  parent: account
  name: '00000000-0000-0000-0000-000000000002'
}

// Cosmos DB applies control-plane writes to an account one at a time: SQL role assignments written
// in parallel (a loop runs its items in parallel by default) collide on the account and fail with
// 409 Conflict ("another operation is in progress"). @batchSize(1) creates them one after another,
// and dependsOn the container starts them only once the container, itself a write to the account,
// is done (rule cosmos-serial).
@batchSize(1)
resource data 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = [
  for principalId in dataPrincipalIds: {
    parent: account
    name: guid(database.id, principalId, dataContributor.id)
    properties: {
      roleDefinitionId: dataContributor.id
      principalId: principalId
      scope: '${account.id}/dbs/${database.name}'
    }
    dependsOn: [
      container
    ]
  }
]

@description('Name of the account; the host of the cosmos:// URL is <name>.documents.azure.com.')
output accountName string = account.name

@description('Name of the database.')
output databaseName string = database.name

@description('Name of the container.')
output containerName string = container.name
