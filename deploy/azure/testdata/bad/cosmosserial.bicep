// want: cosmos-serial
// Cosmos DB SQL role assignments as they were: a loop that runs in parallel and does not wait for
// the container, and a second declaration beside it.

@description('Region.')
param location string

@description('Principals that read and write data.')
param dataPrincipalIds string[]

@description('A principal that only reads.')
param readerPrincipalId string

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  name: 'cosmos-serial'
  location: location
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
      }
    ]
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2026-03-15' = {
  parent: account
  name: 'docpipe'
  properties: {
    resource: {
      id: 'docpipe'
    }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2026-03-15' = {
  parent: database
  name: 'documents'
  properties: {
    resource: {
      id: 'documents'
      partitionKey: {
        paths: [
          '/owner'
        ]
      }
    }
  }
}

resource contributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2026-03-15' existing = {
  parent: account
  name: '00000000-0000-0000-0000-000000000002'
}

resource data 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = [
  for principalId in dataPrincipalIds: {
    parent: account
    name: guid(database.id, principalId, contributor.id)
    properties: {
      roleDefinitionId: contributor.id
      principalId: principalId
      scope: '${account.id}/dbs/${database.name}'
    }
  }
]

@batchSize(1)
resource reader 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2026-03-15' = [
  for principalId in [readerPrincipalId]: {
    parent: account
    name: guid(database.id, principalId, 'reader')
    properties: {
      roleDefinitionId: contributor.id
      principalId: principalId
      scope: '${account.id}/dbs/${database.name}'
    }
    dependsOn: [
      container
    ]
  }
]
