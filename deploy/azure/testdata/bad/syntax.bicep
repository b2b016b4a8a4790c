// want: syntax
@description('A name.')
param name string = 
resource x 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
