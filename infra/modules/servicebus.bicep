// Service Bus: the queues and topic of shared/platform/topology.py, with the same options.
param name string
param location string
param tags object
param principalId string
@description('The deploying developer (azd sets AZURE_PRINCIPAL_ID): the same data-plane access as the app, to run the emulator-free azure profile and the CLI against this deployment; empty: none')
param developerPrincipalId string = ''

@description('Queues: name, lock duration, max deliveries (mirrors QUEUES in the code)')
param queues array = [
  { name: 'certificates', lockDuration: 'PT1M', maxDeliveryCount: 10 }
  { name: 'attempt-deadlines', lockDuration: 'PT1M', maxDeliveryCount: 10 }
  { name: 'transcode', lockDuration: 'PT1M', maxDeliveryCount: 3 }
]

@description('The events topic and its subscriptions (mirrors EVENT_SUBSCRIPTIONS in the code)')
param eventsTopic string = 'events'
param eventSubscriptions array = ['reporting', 'notifications', 'billing', 'enrollment', 'learning']

@description('Each subscription\'s SQL filter: the event types its consumer handles (generated: python -m shared.cli bus-subscriptions)')
param subscriptionFilters object = loadJsonContent('../bus-subscriptions.json')

@description('How long an event waits in a subscription before it expires to the dead-letter queue, so a stalled consumer cannot fill the topic')
param subscriptionMessageTimeToLive string = 'P14D'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: { disableLocalAuth: true, minimumTlsVersion: '1.2' }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queue in queues: {
    parent: namespace
    name: queue.name
    properties: {
      lockDuration: queue.lockDuration
      maxDeliveryCount: queue.maxDeliveryCount
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT10M'
      deadLetteringOnMessageExpiration: true
    }
  }
]

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: eventsTopic
  properties: { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M' }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [
  for subscription in eventSubscriptions: {
    parent: topic
    name: subscription
    properties: {
      lockDuration: 'PT1M'
      maxDeliveryCount: 10
      defaultMessageTimeToLive: subscriptionMessageTimeToLive
      deadLetteringOnMessageExpiration: true
    }
  }
]

// Each subscription receives only the events its consumer handles: its $Default rule (a TrueFilter
// when the subscription is created) becomes a SQL filter on the message's `type` property.
resource rules 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [
  for (subscription, i) in eventSubscriptions: {
    parent: subscriptions[i]
    name: '$Default'
    properties: {
      filterType: 'SqlFilter'
      sqlFilter: { sqlExpression: subscriptionFilters[subscription] }
    }
  }
]

// Azure Service Bus Data Sender and Data Receiver for the app's identity.
var roles = ['69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0']
resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(namespace.id, principalId, role)
    scope: namespace
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource developerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in (empty(developerPrincipalId) ? [] : roles): {
    name: guid(namespace.id, developerPrincipalId, role)
    scope: namespace
    properties: {
      principalId: developerPrincipalId
      principalType: 'User'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

output id string = namespace.id
output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
