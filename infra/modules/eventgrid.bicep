// The Event Grid system topic of the storage account: the source of the BlobCreated events that
// drive the media context's blob trigger (Flex Consumption runs blob triggers only from Event Grid).
// The subscription that delivers uploads' events to the app is created after the code is deployed
// (infra/scripts/subscribe-upload-events.sh, an azd postdeploy hook), because its webhook URL carries
// the app's blobs_extension system key, which exists only once the blob trigger has been indexed.
param name string
param location string
param tags object
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
