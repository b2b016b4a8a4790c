// docpipe on Azure: Container Apps (web, api), a Functions custom handler on Container Apps for OCR,
// Blob Storage and Event Grid, Cosmos DB for NoSQL, Key Vault, ACR and Azure AI Vision.
// Subscription scope: the deployment creates its own resource group, so `azd up` and
// `az deployment sub create` need nothing but a subscription. See docs/azure.md.
targetScope = 'subscription'

@description('Name of the azd environment; prefixes the resource group and tags every resource.')
@minLength(1)
@maxLength(40)
param environmentName string

@description('Azure region of every regional resource.')
@minLength(1)
param location string

@description('Container image of the api app; the placeholder (port 80, no docpipe settings) until the first deploy.')
param apiImage string = 'mcr.microsoft.com/k8se/quickstart:latest'

@description('Container image of the web app; the placeholder (port 80, no docpipe settings) until the first deploy.')
param webImage string = 'mcr.microsoft.com/k8se/quickstart:latest'

@description('Container image of the OCR function (deploy/azure/function/Dockerfile); a placeholder until the first deploy.')
param functionImage string = 'mcr.microsoft.com/azure-functions/base:4'

@description('Create the Event Grid subscription to the ocr function. False until the function code is deployed: Event Grid validates the endpoint when the subscription is created.')
param wireEvents bool = false

@description('Entra ID tenant that issues the users\' tokens.')
param tenantId string = tenant().tenantId

@description('Application (client) ID of the Entra app registration that represents the api; the tokens\' audience.')
@minLength(1)
param apiClientId string

@description('Application (client) ID of the Entra app registration the web app signs users in with.')
@minLength(1)
param webClientId string

@description('Client secret of the web app registration; stored in Key Vault, never in app settings.')
@secure()
param webClientSecret string

@description('Object ID of the deploying user or pipeline principal; granted Key Vault Secrets Officer so it can rotate the web client secret. Empty grants nothing.')
param principalId string = ''

@description('Type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

var tags = {
  'azd-env-name': environmentName
  app: 'docpipe'
}
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    name: 'log-${token}'
    location: location
    tags: tags
  }
}

module webIdentity 'modules/identity.bicep' = {
  name: 'identity-web'
  scope: rg
  params: {
    name: 'id-web-${token}'
    location: location
    tags: tags
  }
}

module apiIdentity 'modules/identity.bicep' = {
  name: 'identity-api'
  scope: rg
  params: {
    name: 'id-api-${token}'
    location: location
    tags: tags
  }
}

module functionIdentity 'modules/identity.bicep' = {
  name: 'identity-function'
  scope: rg
  params: {
    name: 'id-func-${token}'
    location: location
    tags: tags
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: 'cr${token}'
    location: location
    tags: tags
    pullPrincipalIds: [
      webIdentity.outputs.principalId
      apiIdentity.outputs.principalId
      functionIdentity.outputs.principalId
    ]
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${token}'
    location: location
    tags: tags
    readerPrincipalIds: [
      webIdentity.outputs.principalId
      apiIdentity.outputs.principalId
      functionIdentity.outputs.principalId
    ]
    officerPrincipalId: principalId
    officerPrincipalType: principalType
    webClientSecret: webClientSecret
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    contributorPrincipalIds: [
      apiIdentity.outputs.principalId
      functionIdentity.outputs.principalId
    ]
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: 'cosmos-${token}'
    location: location
    tags: tags
    dataPrincipalIds: [
      apiIdentity.outputs.principalId
      functionIdentity.outputs.principalId
    ]
  }
}

module vision 'modules/vision.bicep' = {
  name: 'vision'
  scope: rg
  params: {
    name: 'cv-${token}'
    location: location
    tags: tags
    userPrincipalIds: [
      functionIdentity.outputs.principalId
    ]
  }
}

module environment 'modules/environment.bicep' = {
  name: 'environment'
  scope: rg
  params: {
    name: 'cae-${token}'
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.workspaceId
  }
}

var oidcIssuer = '${az.environment().authentication.loginEndpoint}${tenantId}/v2.0'
var databaseURL = 'cosmos://${cosmos.outputs.accountName}.documents.azure.com/${cosmos.outputs.databaseName}'
var blobURL = 'azblob://${storage.outputs.documentsContainer}?storage_account=${storage.outputs.accountName}'

module api 'modules/containerapp.bicep' = {
  name: 'app-api'
  scope: rg
  params: {
    name: 'ca-api-${token}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    environmentId: environment.outputs.environmentId
    identityId: apiIdentity.outputs.id
    registryServer: registry.outputs.loginServer
    image: apiImage
    role: 'api'
    external: false
    minReplicas: 1
    maxReplicas: 10
    env: [
      { name: 'AZURE_CLIENT_ID', value: apiIdentity.outputs.clientId }
      { name: 'DOCPIPE_AUTH', value: 'oidc' }
      { name: 'DOCPIPE_OIDC_ISSUER', value: oidcIssuer }
      { name: 'DOCPIPE_OIDC_AUDIENCE', value: 'api://${apiClientId},${apiClientId}' }
      { name: 'DOCPIPE_DATABASE_URL', value: databaseURL }
      { name: 'DOCPIPE_BLOB_URL', value: blobURL }
      { name: 'DOCPIPE_DRAIN_DELAY', value: '5s' }
      { name: 'DOCPIPE_NOTIFY_SUBJECTS', value: functionIdentity.outputs.principalId }
    ]
    secretRefs: []
  }
}

module web 'modules/containerapp.bicep' = {
  name: 'app-web'
  scope: rg
  params: {
    name: 'ca-web-${token}'
    location: location
    tags: union(tags, { 'azd-service-name': 'web' })
    environmentId: environment.outputs.environmentId
    identityId: webIdentity.outputs.id
    registryServer: registry.outputs.loginServer
    image: webImage
    role: 'web'
    external: true
    minReplicas: 1
    maxReplicas: 5
    env: [
      { name: 'AZURE_CLIENT_ID', value: webIdentity.outputs.clientId }
      { name: 'DOCPIPE_AUTH', value: 'oidc' }
      { name: 'DOCPIPE_API_URL', value: 'https://${api.outputs.fqdn}' }
      { name: 'DOCPIPE_PUBLIC_URL', value: 'https://ca-web-${token}.${environment.outputs.defaultDomain}' }
      { name: 'DOCPIPE_OIDC_ISSUER', value: oidcIssuer }
      { name: 'DOCPIPE_OIDC_AUDIENCE', value: 'api://${apiClientId},${apiClientId}' }
      { name: 'DOCPIPE_OIDC_CLIENT_ID', value: webClientId }
      { name: 'DOCPIPE_OIDC_SCOPES', value: 'openid email profile api://${apiClientId}/documents' }
      { name: 'DOCPIPE_OIDC_CLIENT_SECRET', secretRef: 'oidc-client-secret' }
      { name: 'DOCPIPE_DRAIN_DELAY', value: '5s' }
    ]
    secretRefs: [
      {
        name: 'oidc-client-secret'
        keyVaultUrl: vault.outputs.webClientSecretUri
        identity: webIdentity.outputs.id
      }
    ]
  }
  // The vault module grants id-web Key Vault Secrets User (its readers): the app, whose revision
  // reads the secret with that identity, is created only after the grant (rule kv-order). Azure RBAC
  // can still take minutes to propagate; the placeholder revision of the first provision reads no
  // secret, so the first revision that does comes from a later deployment (docs/azure.md).
  dependsOn: [
    vault
  ]
}

module function 'modules/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    name: 'func-${token}'
    hostStorageName: 'stfn${token}'
    location: location
    tags: union(tags, { 'azd-service-name': 'function' })
    environmentId: environment.outputs.environmentId
    identityId: functionIdentity.outputs.id
    identityClientId: functionIdentity.outputs.clientId
    identityPrincipalId: functionIdentity.outputs.principalId
    image: functionImage
    registryServer: registry.outputs.loginServer
    settings: {
      DOCPIPE_DATABASE_URL: databaseURL
      DOCPIPE_BLOB_URL: blobURL
      DOCPIPE_API_URL: 'https://${api.outputs.fqdn}'
      DOCPIPE_API_TOKEN_SCOPE: 'api://${apiClientId}/.default'
      DOCPIPE_AZURE_VISION_ENDPOINT: vision.outputs.endpoint
      DOCPIPE_JOB_TIMEOUT: '9m' // under the host's functionTimeout of 10 minutes
    }
  }
  dependsOn: [
    registry
    vault
  ]
}

module events 'modules/events.bicep' = {
  name: 'events'
  scope: rg
  params: {
    name: 'evgt-${token}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.accountName
    documentsContainer: storage.outputs.documentsContainer
    deadLetterContainer: storage.outputs.deadLetterContainer
    functionAppId: function.outputs.id
    functionName: function.outputs.functionName
    subscribe: wireEvents
  }
}

@description('Resource group that holds everything; azd reads it.')
output AZURE_RESOURCE_GROUP string = rg.name

@description('Login server of the registry; azd pushes the images here.')
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer

@description('Container Apps environment of web, api and the function.')
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = environment.outputs.name

@description('Public URL of the web app: where users go.')
output WEB_URL string = 'https://${web.outputs.fqdn}'

@description('Internal URL of the api, reachable only inside the environment.')
output API_INTERNAL_URL string = 'https://${api.outputs.fqdn}'

@description('Name of the Function App that runs `docpipe function`.')
output FUNCTION_APP_NAME string = function.outputs.name

@description('Document store URL the api and the function use (the Cosmos backend contract).')
output DOCPIPE_DATABASE_URL string = databaseURL

@description('Blob URL of the documents container.')
output DOCPIPE_BLOB_URL string = blobURL

@description('Key Vault URI.')
output AZURE_KEY_VAULT_ENDPOINT string = vault.outputs.uri

@description('Whether the Event Grid subscription is part of this deployment.')
output DOCPIPE_WIRE_EVENTS bool = wireEvents
