// The OCR function: an Azure Functions app on the Container Apps environment (kind
// azurecontainerapps) running the image from deploy/azure/function/Dockerfile, where the Functions
// host starts `docpipe function` as a custom handler. A container is needed because Tesseract lives
// in the image; Flex Consumption runs only a zip package.
//
// Bicep is the only owner of the site's configuration: the image (linuxFxVersion) and every app
// setting come from this module, and no script sets either (TestScriptsLeaveConfigToBicep): a
// deployment writes siteConfig.appSettings as a whole, so a setting added outside Bicep would be
// erased by the next provision (rule site-settings).

@description('Name of the Function App: 2-32 lowercase letters, digits and hyphens.')
@minLength(2)
@maxLength(32)
param name string

@description('Name of the Functions host\'s own storage account (leases, keys), kept apart from the documents account.')
@minLength(3)
@maxLength(24)
param hostStorageName string

@description('Region of the app.')
param location string

@description('Tags of the app.')
param tags object

@description('Resource ID of the Container Apps environment.')
param environmentId string

@description('Resource ID of the function\'s user-assigned identity.')
param identityId string

@description('Client ID of that identity (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).')
param identityClientId string

@description('Principal ID of that identity, for the host storage role.')
param identityPrincipalId string

@description('Image to run.')
@minLength(1)
param image string

@description('Login server of the registry the function image comes from, pulled with the identity.')
param registryServer string

@description('docpipe settings (DOCPIPE_*) as name: value; no secrets.')
param settings object

@description('Most instances.')
@minValue(1)
@maxValue(300)
param maxInstances int = 10

@description('Instances kept running with no event to process. At least 1, so the sweep timer (function/sweep) fires every minute whether or not the platform would wake a scaled-to-zero app for it.')
@minValue(1)
@maxValue(300)
param minInstances int = 1

var functionName = 'ocr'
var blobOwner = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')

resource hostStorage 'Microsoft.Storage/storageAccounts@2026-04-01' = {
  name: hostStorageName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource hostStorageOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, identityPrincipalId, blobOwner)
  scope: hostStorage
  properties: {
    roleDefinitionId: blobOwner
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

var baseSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'custom'
  AzureWebJobsStorage__accountName: hostStorage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  OMP_THREAD_LIMIT: '1'
}

// The registry the platform pulls docpipe's image from with the identity (acrUseManagedIdentityCreds);
// not set for the public placeholder image of the first provision.
var registrySettings = startsWith(image, '${registryServer}/') ? { DOCKER_REGISTRY_SERVER_URL: 'https://${registryServer}' } : {}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux,container,azurecontainerapps'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: 'Consumption'
    resourceConfig: {
      cpu: 1
      memory: '2Gi'
    }
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      acrUseManagedIdentityCreds: true
      acrUserManagedIdentityID: identityId
      functionAppScaleLimit: maxInstances
      // An always-ready instance: the sweep timer runs in it (rule timer-instance, docs/azure.md).
      minimumElasticInstanceCount: minInstances
      // Every app setting the app has: a deployment replaces the whole list.
      appSettings: [
        for s in items(union(baseSettings, registrySettings, settings)): {
          name: s.key
          value: s.value
        }
      ]
    }
  }
  dependsOn: [
    hostStorageOwner
  ]
}

@description('Resource ID of the Function App.')
output id string = site.id

@description('Name of the Function App.')
output name string = site.name

@description('Name of the Event Grid-triggered function (the folder of its function.json).')
output functionName string = functionName
