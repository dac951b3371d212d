// Entry point of `azd up`: one resource group holding the platform.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names every resource')
param environmentName string

@minLength(1)
@description('Azure region of every resource')
param location string

@description('Token issuer the API trusts (Entra ID / External ID tenant issuer URL)')
param authIssuer string

@description('Audience (application ID URI) of the API in Entra ID')
param authAudience string

@description('JWKS URL of the issuer')
param authJwksUrl string

@description('Claim that carries the LMS tenant id in tokens')
param authTenantClaim string = 'tenant'

@description('Region of the Azure OpenAI account (not every region offers every model)')
param openAiLocation string = location

@description('Chat model that drafts quiz questions from lesson transcripts')
param openAiModelName string = 'gpt-4o-mini'

@description('Version of that model')
param openAiModelVersion string = '2024-07-18'

@description('Dedicated Cosmos DB databases for tenants placed apart, each created with every container of the shared one')
param cosmosDedicatedDatabases array = []

@description('Tenant id -> dedicated database (LMS_COSMOS_PLACEMENT); every database named here must be in cosmosDedicatedDatabases')
param cosmosPlacement object = {}

@description('Transcoder image azd last deployed (kept when azd provisions again); empty before the first deploy')
param transcoderImageName string = ''

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: { name: 'id-lms-${token}', location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: { token: token, location: location, tags: tags, principalId: identity.outputs.principalId }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: { name: 'stlms${token}', location: location, tags: tags, principalId: identity.outputs.principalId }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: 'cosmos-lms-${token}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    dedicatedDatabases: cosmosDedicatedDatabases
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: { name: 'kv-lms-${take(token, 13)}', location: location, tags: tags, principalId: identity.outputs.principalId }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: { name: 'sb-lms-${token}', location: location, tags: tags, principalId: identity.outputs.principalId }
}

module search 'modules/search.bicep' = {
  name: 'search'
  scope: rg
  params: { name: 'srch-lms-${token}', location: location, tags: tags, principalId: identity.outputs.principalId }
}

module openAi 'modules/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    name: 'oai-lms-${token}'
    location: openAiLocation
    tags: tags
    principalId: identity.outputs.principalId
    modelName: openAiModelName
    modelVersion: openAiModelVersion
  }
}

// BlobCreated events of the storage account, for the media blob trigger (subscribed after deploy).
module uploadEvents 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: { name: 'evgt-lms-${token}', location: location, tags: tags, storageAccountName: storage.outputs.name }
}

module frontDoor 'modules/frontdoor.bicep' = {
  name: 'frontdoor'
  scope: rg
  params: { name: 'afd-lms-${token}', tags: tags, storageBlobHost: storage.outputs.blobHost }
}

// Settings the application reads (shared/settings.py); the Functions app and the
// transcoder get the same ones, each with its own identity's AZURE_CLIENT_ID.
var appSettings = {
  LMS_PROFILE: 'azure'
  LMS_AUTH_ISSUER: authIssuer
  LMS_AUTH_AUDIENCE: authAudience
  LMS_AUTH_JWKS_URL: authJwksUrl
  LMS_AUTH_TENANT_CLAIM: authTenantClaim
  LMS_COSMOS_ENDPOINT: cosmos.outputs.endpoint
  LMS_COSMOS_DATABASE: cosmos.outputs.databaseName
  LMS_COSMOS_PLACEMENT: string(cosmosPlacement)
  LMS_BLOB_ACCOUNT_URL: storage.outputs.blobEndpoint
  LMS_SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  LMS_SEARCH_ENDPOINT: search.outputs.endpoint
  LMS_KEY_VAULT_URL: keyVault.outputs.uri
  LMS_OPENAI_ENDPOINT: openAi.outputs.endpoint
  LMS_OPENAI_DEPLOYMENT: openAi.outputs.deploymentName
  // Signed media and certificate URLs point at Front Door, which forwards them to the blob origin.
  LMS_MEDIA_BASE_URL: 'https://${frontDoor.outputs.hostName}'
}

module transcoder 'modules/transcoder.bicep' = {
  name: 'transcoder'
  scope: rg
  params: {
    name: 'lms-${token}'
    location: location
    tags: tags
    image: transcoderImageName
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    serviceBusNamespace: serviceBus.outputs.name
    storageAccountName: storage.outputs.name
    cosmosAccountName: cosmos.outputs.name
    appSettings: appSettings
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: 'func-lms-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    // Trigger bindings connect with the identity through these <CONNECTION>__* settings.
    appSettings: union(appSettings, {
      AZURE_CLIENT_ID: identity.outputs.clientId
      COSMOS__accountEndpoint: cosmos.outputs.endpoint
      COSMOS__credential: 'managedidentity'
      COSMOS__clientId: identity.outputs.clientId
      SERVICEBUS__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      SERVICEBUS__credential: 'managedidentity'
      SERVICEBUS__clientId: identity.outputs.clientId
    })
  }
}

output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_BASE_URL string = functionApp.outputs.uri
output LMS_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output LMS_COSMOS_DATABASE string = cosmos.outputs.databaseName
output LMS_BLOB_ACCOUNT_URL string = storage.outputs.blobEndpoint
output LMS_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output LMS_SEARCH_ENDPOINT string = search.outputs.endpoint
output LMS_KEY_VAULT_URL string = keyVault.outputs.uri
output LMS_OPENAI_ENDPOINT string = openAi.outputs.endpoint
output LMS_OPENAI_DEPLOYMENT string = openAi.outputs.deploymentName
output LMS_MEDIA_BASE_URL string = 'https://${frontDoor.outputs.hostName}'
output MEDIA_CDN_HOST string = frontDoor.outputs.hostName
output UPLOADS_EVENT_TOPIC string = uploadEvents.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = transcoder.outputs.registryEndpoint
output TRANSCODER_JOB_NAME string = transcoder.outputs.name
