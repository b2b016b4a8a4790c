// want: location
@description('Region, pinned.')
param location string = 'westeurope'

resource id 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-x'
  location: 'northeurope'
}
