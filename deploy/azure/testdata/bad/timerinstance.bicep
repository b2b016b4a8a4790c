// want: timer-instance
// Function apps that may scale to zero, so nothing keeps the sweep timer's host running.

@description('Region.')
param location string

@description('Container Apps environment.')
param environmentId string

@description('Instances kept running; may be 0.')
@maxValue(10)
param minInstances int = 1

resource zero 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-zero'
  location: location
  kind: 'functionapp,linux,container,azurecontainerapps'
  properties: {
    managedEnvironmentId: environmentId
    siteConfig: {
      linuxFxVersion: 'DOCKER|mcr.microsoft.com/azure-functions/base:4'
      minimumElasticInstanceCount: 0
      appSettings: []
    }
  }
}

resource unbounded 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-unbounded'
  location: location
  kind: 'functionapp,linux,container,azurecontainerapps'
  properties: {
    managedEnvironmentId: environmentId
    siteConfig: {
      linuxFxVersion: 'DOCKER|mcr.microsoft.com/azure-functions/base:4'
      minimumElasticInstanceCount: minInstances
      appSettings: []
    }
  }
}

resource unset 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-unset'
  location: location
  kind: 'functionapp,linux,container,azurecontainerapps'
  properties: {
    managedEnvironmentId: environmentId
    siteConfig: {
      linuxFxVersion: 'DOCKER|mcr.microsoft.com/azure-functions/base:4'
      appSettings: []
    }
  }
}
