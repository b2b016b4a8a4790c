// want: syntax
@description('A name.')
param name string = 
resource x 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: name
