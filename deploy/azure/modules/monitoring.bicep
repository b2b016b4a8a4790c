// Log Analytics: where the Container Apps environment sends console and system logs.

@description('Name of the Log Analytics workspace.')
@minLength(4)
@maxLength(63)
param name string

@description('Region of the workspace.')
param location string

@description('Tags of the workspace.')
param tags object

@description('Days logs are kept; 30 is free of retention charges.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

@description('Resource ID of the workspace.')
output workspaceId string = workspace.id
