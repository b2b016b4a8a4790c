// want: secret-value
@description('Region.')
param location string

@description('Environment.')
param environmentId string

resource app 'Microsoft.App/containerApps@2026-01-01' = {
  name: 'ca-bad'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {}
  }
  properties: {
    environmentId: environmentId
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8080
        allowInsecure: false
      }
      secrets: [
        {
          name: 'db'
          value: 'postgres://user:pw@host/db'
        }
      ]
    }
    template: {
      containers: []
      scale: {
        rules: []
      }
    }
  }
}
