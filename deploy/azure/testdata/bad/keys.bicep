// want: no-keys output-secret
@description('Name of the account.')
param name string

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: name
}

@description('A connection string: never.')
output connectionString string = 'DefaultEndpointsProtocol=https;AccountName=${name};AccountKey=${account.listKeys().keys[0].value}'
