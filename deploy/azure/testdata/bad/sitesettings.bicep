// want: site-settings
// A function app whose settings have two owners, and one whose image a script would set.

@description('Region.')
param location string

@description('Container Apps environment.')
param environmentId string

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-settings'
  location: location
  kind: 'functionapp,linux,container,azurecontainerapps'
  properties: {
    managedEnvironmentId: environmentId
    siteConfig: {
      linuxFxVersion: 'DOCKER|mcr.microsoft.com/azure-functions/base:4'
      minimumElasticInstanceCount: 1
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: {
      FUNCTIONS_EXTENSION_VERSION: '~4'
    }
  }
}

resource imageless 'Microsoft.Web/sites@2025-03-01' = {
  name: 'func-imageless'
  location: location
  kind: 'functionapp,linux,container,azurecontainerapps'
  properties: {
    managedEnvironmentId: environmentId
    siteConfig: {
      minimumElasticInstanceCount: 1
      appSettings: []
    }
  }
}
