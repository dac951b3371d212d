// The transcoding workload: a Container Apps job running the ffmpeg image of Dockerfile.transcoder.
// KEDA watches the `transcode` queue; each execution consumes it until it is empty and exits, so
// nothing runs (or costs) while no video waits, and a long transcode never holds an idle replica.
// The job has its own identity, with only what a transcode touches: it reads `uploads`, writes
// `media`, updates documents, and receives from the `transcode` queue. It reads no secret.
param name string
param location string
param tags object
param logAnalyticsWorkspaceId string
param serviceBusNamespace string
param storageAccountName string
param cosmosAccountName string
param appInsightsName string
param appInsightsConnectionString string
@description('The vault of the per-asset HLS content keys: the job creates each asset\'s key there')
param mediaKeyVaultName string

@description('Settings the application reads (shared/settings.py), as the Functions app gets them')
param appSettings object

@description('Image azd built from Dockerfile.transcoder (SERVICE_TRANSCODER_IMAGE_NAME); empty before the first deploy')
param image string = ''

@description('The queue of transcode jobs (TRANSCODE_QUEUE, shared/media/model.py)')
param transcodeQueue string = 'transcode'
@description('The topic the job publishes VideoTranscoded to (Data Sender there only).')
param eventsTopic string = 'events'

@description('Blob container of the uploaded sources (UPLOADS, shared/media/model.py)')
param uploadsContainer string = 'uploads'

@description('Blob container of the HLS output (MEDIA_BLOBS, shared/media/model.py)')
param mediaContainer string = 'media'

@description('Transcodes running at once: one per execution, each on its own replica')
@minValue(1)
param maxParallelTranscodes int = 4

@description('Longest an execution may run: the longest accepted video (4 h) transcodes in about its own duration')
param replicaTimeoutSeconds int = 14400

@description('Restarts of a crashed replica; the queue redelivers (3 attempts) what a failed execution held')
param replicaRetryLimit int = 1

// The largest replica of the Consumption workload profile: ffmpeg uses every core it gets.
param cpu string = '4.0'
param memory string = '8Gi'

var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource jobIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-transcoder-${name}'
  location: location
  tags: tags
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: replace('cr${name}', '-', '')
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false }
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, jobIdentity.id, roles.acrPull)
  scope: registry
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
  }
}

// --- data-plane access of the job's identity ------------------------------------------------

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespace
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: namespace
  name: transcodeQueue
}

// Receiver for the worker; Owner because the KEDA scaler reads the queue's message count, which
// needs the Manage right (Data Receiver is not enough: microsoft/azure-container-apps#1138).
// Both only on this queue.
resource queueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, jobIdentity.id, roles.serviceBusDataReceiver)
  scope: queue
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
  }
}

resource queueOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, jobIdentity.id, roles.serviceBusDataOwner)
  scope: queue
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
  }
}

// A finished transcode publishes VideoTranscoded (billing counts the minutes, the uploader is
// told): Data Sender on the events topic only, never on its subscriptions or the namespace.
resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' existing = {
  parent: namespace
  name: eventsTopic
}

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, jobIdentity.id, roles.serviceBusDataSender)
  scope: topic
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource uploads 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: uploadsContainer
}

resource media 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: mediaContainer
}

resource uploadsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(uploads.id, jobIdentity.id, roles.storageBlobDataReader)
  scope: uploads
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

resource mediaContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(media.id, jobIdentity.id, roles.storageBlobDataContributor)
  scope: media
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' existing = {
  name: cosmosAccountName
}

// Cosmos DB Built-in Data Contributor: asset status, the lesson's duration, the uploader's notification.
resource cosmosContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, jobIdentity.id, 'data-contributor')
  properties: {
    principalId: jobIdentity.properties.principalId
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: cosmos.id
  }
}

resource mediaKeys 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: mediaKeyVaultName
}

// Key Vault Secrets Officer on the media keys vault only: a transcode creates (or, repeated, reads)
// its asset's AES-128 key there. The platform's own vault stays out of the job's reach.
resource contentKeysOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(mediaKeys.id, jobIdentity.id, roles.keyVaultSecretsOfficer)
  scope: mediaKeys
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Application Insights accepts only Entra ID-authenticated telemetry (DisableLocalAuth).
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, jobIdentity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: jobIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// --- the environment and the job -------------------------------------------------------------

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: 'cae-${name}'
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: { destination: 'azure-monitor' }
    workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }]
  }
}

// Container logs reach Log Analytics through diagnostic settings: no workspace key is handled.
resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [{ categoryGroup: 'allLogs', enabled: true }]
  }
}

var settingsEnv = [for setting in items(appSettings): { name: setting.key, value: setting.value }]

resource job 'Microsoft.App/jobs@2025-01-01' = {
  name: 'caj-${name}'
  location: location
  tags: union(tags, { 'azd-service-name': 'transcoder' })
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${jobIdentity.id}': {} } }
  // Executions start only once the identity can pull the image, read the queue and do the work.
  dependsOn: [acrPull, queueReceiver, queueOwner, uploadsReader, mediaContributor, cosmosContributor, telemetryPublisher]
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: 'Event'
      replicaTimeout: replicaTimeoutSeconds
      replicaRetryLimit: replicaRetryLimit
      registries: [{ server: registry.properties.loginServer, identity: jobIdentity.id }]
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: maxParallelTranscodes
          pollingInterval: 30
          rules: [
            {
              name: 'transcode-queue'
              type: 'azure-servicebus'
              // The scaler signs in as the job's identity: no connection string, no secret.
              identity: jobIdentity.id
              metadata: { namespace: serviceBusNamespace, queueName: transcodeQueue, messageCount: '1' }
            }
          ]
        }
      }
    }
    template: {
      containers: [
        {
          name: 'transcoder'
          // azd deploys the image it builds from Dockerfile.transcoder; until then a placeholder
          // (no message reaches the queue before the app is deployed).
          image: empty(image) ? 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest' : image
          command: ['python', '-m', 'shared.worker']
          args: ['--entity', transcodeQueue, '--until-idle']
          resources: { cpu: json(cpu), memory: memory }
          env: concat(settingsEnv, [
            { name: 'AZURE_CLIENT_ID', value: jobIdentity.properties.clientId }
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
            {
              name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
              value: 'ClientId=${jobIdentity.properties.clientId};Authorization=AAD'
            }
          ])
        }
      ]
    }
  }
}

output registryEndpoint string = registry.properties.loginServer
output name string = job.name
output principalId string = jobIdentity.properties.principalId
