// Azure OpenAI for question drafts: Entra ID only (no API keys); the app calls one chat model deployment.
param name string
param location string
param tags object
param principalId string
@description('The deployment the app calls (LMS_OPENAI_DEPLOYMENT)')
param deploymentName string = 'question-drafts'
@description('Chat model that drafts questions; it must support JSON output (response_format json_object)')
param modelName string = 'gpt-4o-mini'
param modelVersion string = '2024-07-18'
@description('Deployment type: GlobalStandard is offered in the most regions')
param deploymentSku string = 'GlobalStandard'
@description('Throughput in thousands of tokens per minute')
param capacity int = 20

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: { name: 'S0' }
  properties: {
    // A custom subdomain is what Entra ID tokens need: https://NAME.openai.azure.com
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: { name: deploymentSku, capacity: capacity }
  properties: {
    model: { format: 'OpenAI', name: modelName, version: modelVersion }
    versionUpgradeOption: 'OnceNewDefaultVersionAvailable'
  }
}

// Cognitive Services OpenAI User: call deployments (inference), nothing else.
resource openAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')
  }
}

output endpoint string = account.properties.endpoint
output deploymentName string = deployment.name
