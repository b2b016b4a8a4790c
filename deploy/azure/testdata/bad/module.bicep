// want: module
@description('Region.')
param location string

module missing 'nothere.bicep' = {
  name: 'missing'
  params: {}
}

module wrong '../../modules/identity.bicep' = {
  name: 'wrong'
  params: {
    location: location
    colour: 'blue'
  }
}
