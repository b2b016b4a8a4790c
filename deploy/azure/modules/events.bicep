// Event Grid: a system topic on the storage account and, once the function code is deployed
// (subscribe), a subscription that sends BlobCreated events for originals to the ocr function,
// retrying and then dead-lettering into the deadletters container with the topic's identity.

@description('Name of the system topic.')
@minLength(3)
@maxLength(128)
param name string

@description('Region of the topic: the storage account\'s region.')
param location string

@description('Tags of the topic.')
param tags object

@description('Name of the storage account whose events are published.')
param storageAccountName string

@description('Container of originals; only blobs under originals/ in it trigger OCR.')
param documentsContainer string

@description('Container for events that could not be delivered.')
param deadLetterContainer string

@description('Resource ID of the Function App.')
param functionAppId string

@description('Name of the Event Grid-triggered function in the app.')
param functionName string

@description('Create the subscription. Event Grid validates an AzureFunction endpoint when the subscription is created, so this is false until the function code is deployed (docs/azure.md, "ordering").')
param subscribe bool

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 10

@description('Minutes an event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

var blobContributor = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')

resource account 'Microsoft.Storage/storageAccounts@2026-04-01' existing = {
  name: storageAccountName
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2026-04-01' existing = {
  parent: account
  name: 'default'
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-04-01' existing = {
  parent: blobs
  name: deadLetterContainer
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetters.id, topic.id, blobContributor)
  scope: deadLetters
  properties: {
    roleDefinitionId: blobContributor
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource originals 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (subscribe) {
  parent: topic
  name: 'originals-to-ocr'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${documentsContainer}/blobs/originals/'
      isSubjectCaseSensitive: true
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: account.id
          blobContainerName: deadLetterContainer
        }
      }
    }
  }
  dependsOn: [
    deadLetterWriter
  ]
}

@description('Name of the system topic.')
output topicName string = topic.name

@description('Principal ID of the topic\'s identity, which writes dead letters.')
output topicPrincipalId string = topic.identity.principalId

@description('Whether the subscription is part of this deployment.')
output subscribed bool = subscribe
