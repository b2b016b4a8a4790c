// want: types
// Resource declarations that break Azure's own type definitions (testdata/bicep-types); what
// the rule cannot see into (a parameter) and what Bicep allows (map keys, a nested resource) pass.

@description('Region.')
param location string

@description('Regions of the account, the first one the write region.')
param regions string[]

@description('Settings of a workspace: a parameter, so not checked.')
param workspaceProperties object

resource workspace 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-types'
  location: location
  tags: {
    'any-key': 'tags are a map'
  }
  properties: {
    retentionInDayz: 30
  }
}

resource opaque 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-opaque'
  location: location
  properties: workspaceProperties
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-types'
  location: location
  properties: {
    principalId: '00000000-0000-0000-0000-000000000000'
  }
}

resource future 'Microsoft.ManagedIdentity/userAssignedIdentities@2099-01-01' = {
  name: 'id-future'
  location: location
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' = {
  name: 'cosmos-types'
  location: location
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      for (region, i) in regions: {
        locationName: region
        failoverPriorty: i
      }
    ]
    networkAclBypass: 'All'
    backupPolicy: {
      type: 'Periodic'
      periodicModeProperties: {
        backupIntervalInMinute: 240
      }
    }
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }

  resource database 'sqlDatabases' = {
    name: 'docpipe'
    properties: {
      resource: {}
    }
  }
}

resource elsewhere 'Microsoft.DocumentDB/databaseAccounts@2026-03-15' existing = {
  name: 'cosmos-elsewhere'
  location: location
}

@description('Whether to keep logs for 90 days: either branch of the ternary below is checked.')
param keepLong bool

resource ternary 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-ternary'
  location: location
  properties: keepLong ? {
    retentionInDays: 90
  } : ({
    retentionDays: 30
  })
}
