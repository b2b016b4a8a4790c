// Container Apps environment (workload profiles, Consumption) for web, api and the OCR function.

@description('Name of the environment.')
@minLength(2)
@maxLength(60)
param name string

@description('Region of the environment.')
param location string

@description('Tags of the environment.')
param tags object

@description('Resource ID of the Log Analytics workspace that receives the logs.')
param logAnalyticsWorkspaceId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' existing = {
  name: last(split(logAnalyticsWorkspaceId, '/'))
}

resource environment 'Microsoft.App/managedEnvironments@2026-01-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
    zoneRedundant: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: workspace.id
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

@description('Resource ID of the environment.')
output environmentId string = environment.id

@description('Name of the environment.')
output name string = environment.name

@description('DNS suffix of the apps: <app>.<defaultDomain> outside, <app>.internal.<defaultDomain> inside.')
output defaultDomain string = environment.properties.defaultDomain
