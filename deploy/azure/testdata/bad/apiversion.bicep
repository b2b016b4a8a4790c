// want: api-version
@description('Name of the account.')
param name string

@description('Region.')
param location string

resource old 'Microsoft.Storage/storageAccounts@2019-06-01' existing = {
  name: name
}

resource unknown 'Microsoft.Sql/servers@2023-08-01' = {
  name: name
  location: location
}
