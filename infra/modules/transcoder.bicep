// The transcoding workload: an ffmpeg container (Dockerfile.transcoder) that scales on the
// depth of the `transcode` queue, from zero, apart from the Functions app.
param name string
param location string
param tags object
param identityId string
param identityClientId string
param logAnalyticsWorkspaceId string
param serviceBusNamespace string
param appSettings object
param maxReplicas int = 4

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: replace('cr${name}', '-', '')
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: { adminUserEnabled: false }
}

// AcrPull for the identity the container app runs as.
resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  scope: registry
  properties: {
    principalId: reference(identityId, '2023-01-31').principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${name}'
  location: location
  tags: tags
  properties: { appLogsConfiguration: { destination: 'azure-monitor' } }
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

var env = [for setting in items(appSettings): { name: setting.key, value: setting.value }]

resource transcoder 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-${name}'
  location: location
  tags: union(tags, { 'azd-service-name': 'transcoder' })
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identityId}': {} } }
  dependsOn: [acrPull]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      registries: [{ server: registry.properties.loginServer, identity: identityId }]
    }
    template: {
      containers: [
        {
          name: 'transcoder'
          // azd replaces this image with the one it builds from Dockerfile.transcoder.
          image: 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
          resources: { cpu: json('2.0'), memory: '4Gi' }
          env: concat(env, [{ name: 'AZURE_CLIENT_ID', value: identityClientId }])
        }
      ]
      scale: {
        minReplicas: 0
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'transcode-queue'
            custom: {
              type: 'azure-servicebus'
              identity: identityId
              metadata: { queueName: 'transcode', namespace: serviceBusNamespace, messageCount: '1' }
            }
          }
        ]
      }
    }
  }
}

output registryEndpoint string = registry.properties.loginServer
output name string = transcoder.name
