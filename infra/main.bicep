// Entry point of `azd up`: one resource group holding the platform.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names every resource')
param environmentName string

// The Functions app runs on Flex Consumption, which only some regions offer (and a deployment to
// another fails late, after most resources exist). Check the current list with
// `az functionapp list-flexconsumption-locations` and extend this one when it grows.
@minLength(1)
@description('Azure region of every resource (the web app and Azure OpenAI have their own parameters): a region with Flex Consumption')
@allowed([
  'australiaeast'
  'brazilsouth'
  'canadacentral'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westeurope'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('The deploying user (azd sets AZURE_PRINCIPAL_ID): data-plane access to the stores, the bus, search and Key Vault')
param principalId string = ''

@description('default, or recover: a soft-deleted vault of this environment exists (set by the preprovision hook)')
@allowed(['default', 'recover'])
param keyVaultCreateMode string = 'default'
@description('recover: the media keys vault of this environment is soft-deleted and is brought back (set by the preprovision hook)')
@allowed(['default', 'recover'])
param mediaKeyVaultCreateMode string = 'default'

@description('Token issuer the API trusts (Entra ID / External ID tenant issuer URL)')
param authIssuer string

@description('Audience (application ID URI) of the API in Entra ID')
param authAudience string

@description('JWKS URL of the issuer')
param authJwksUrl string

@description('Claim that carries the LMS tenant id in tokens')
param authTenantClaim string = 'tenant'

@description('Issuers accepted besides authIssuer: Entra ID issues v1 tokens (https://sts.windows.net/<tid>/) unless the API registration sets accessTokenAcceptedVersion 2')
param authExtraIssuers array = []

@description('Audiences accepted besides authAudience: v2 tokens carry the API\'s client id')
param authExtraAudiences array = []

@description('Claim that names the user: oid (the object id, the same in every app) for Entra ID')
param authUserClaim string = 'oid'

@description('Entra directory id (tid) -> platform tenant, for tokens that carry no tenant claim')
param authTenantDirectories object = {}

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

@description('Region of the Static Web App serving the web app (the service exists in a few regions only)')
@allowed(['centralus', 'eastus2', 'eastasia', 'westeurope', 'westus2'])
param webLocation string = 'westeurope'

@description('SKU of the Static Web App: Free is enough for static files calling the API (see modules/staticwebapp.bicep)')
@allowed(['Free', 'Standard'])
param webSku string = 'Free'

@description('Origins besides the Static Web App that may call the API from a browser (exact, https://host[:port]; never *)')
param webExtraOrigins array = []

@description('Client id of the web app\'s Entra ID registration (a single-page application that signs users in)')
param webEntraClientId string = ''

@description('Entra ID authority the web app signs in with; empty: the token issuer without its /v2.0')
param webEntraAuthority string = ''

@description('Scope the web app asks tokens for; empty: the API audience\'s /.default')
param webEntraApiScope string = ''

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
  params: {
    developerPrincipalId: principalId
    name: 'stlms${token}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    corsOrigins: webOrigins
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    developerPrincipalId: principalId
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
  params: {
    developerPrincipalId: principalId
    name: 'kv-lms-${take(token, 13)}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    createMode: keyVaultCreateMode
  }
}

// The HLS content keys in a vault of their own: the transcoder creates one per asset (Secrets Officer
// there, transcoder.bicep) and the app only reads them for the key route, so neither the transcoder
// can read the platform's signing keys nor the app's identity alter a video's key.
module mediaKeyVault 'modules/keyvault.bicep' = {
  name: 'media-keys'
  scope: rg
  params: {
    developerPrincipalId: principalId
    name: 'kvm-lms-${take(token, 12)}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    appAccess: 'reader'
    createMode: mediaKeyVaultCreateMode
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: { name: 'sb-lms-${token}', location: location, tags: tags, principalId: identity.outputs.principalId, developerPrincipalId: principalId }
}

module search 'modules/search.bicep' = {
  name: 'search'
  scope: rg
  params: { name: 'srch-lms-${token}', location: location, tags: tags, principalId: identity.outputs.principalId, developerPrincipalId: principalId }
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

module web 'modules/staticwebapp.bicep' = {
  name: 'staticwebapp'
  scope: rg
  params: { name: 'swa-lms-${token}', location: webLocation, tags: tags, sku: webSku }
}

// The browser origins allowed to call the API (CORS in the app, LMS_WEB_ORIGINS) and the blob storage
// (direct uploads, HLS segments): the Static Web App's own origin, and any extra ones.
// The Functions app's default host (the app is named func-lms-<token>); it is also VITE_API_BASE_URL.
var functionAppName = 'func-lms-${token}'
var apiOrigin = 'https://${functionAppName}.azurewebsites.net'
var webOrigins = union([web.outputs.uri], webExtraOrigins)

// Settings the application reads (shared/settings.py); the Functions app and the
// transcoder get the same ones, each with its own identity's AZURE_CLIENT_ID.
var appSettings = {
  LMS_PROFILE: 'azure'
  // The API's public origin: certificates print it (QR code, verification URL, credential issuer).
  LMS_PUBLIC_BASE_URL: apiOrigin
  // The web app's origin: a certificate's QR code opens its public verification page there.
  LMS_WEB_BASE_URL: web.outputs.uri
  LMS_AUTH_ISSUER: authIssuer
  LMS_AUTH_AUDIENCE: authAudience
  LMS_AUTH_JWKS_URL: authJwksUrl
  LMS_AUTH_TENANT_CLAIM: authTenantClaim
  LMS_AUTH_EXTRA_ISSUERS: join(authExtraIssuers, ',')
  LMS_AUTH_EXTRA_AUDIENCES: join(authExtraAudiences, ',')
  LMS_AUTH_USER_CLAIM: authUserClaim
  LMS_AUTH_TENANT_DIRECTORIES: string(authTenantDirectories)
  LMS_COSMOS_ENDPOINT: cosmos.outputs.endpoint
  LMS_COSMOS_DATABASE: cosmos.outputs.databaseName
  LMS_COSMOS_PLACEMENT: string(cosmosPlacement)
  LMS_BLOB_ACCOUNT_URL: storage.outputs.blobEndpoint
  LMS_SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  LMS_SEARCH_ENDPOINT: search.outputs.endpoint
  LMS_KEY_VAULT_URL: keyVault.outputs.uri
  LMS_MEDIA_KEY_VAULT_URL: mediaKeyVault.outputs.uri
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
    mediaKeyVaultName: mediaKeyVault.outputs.name
    appSettings: appSettings
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    // Trigger bindings connect with the identity through these <CONNECTION>__* settings. The CORS
    // origins are the API's alone (the transcoder serves no HTTP).
    appSettings: union(appSettings, {
      LMS_WEB_ORIGINS: join(webOrigins, ',')
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
output LMS_MEDIA_KEY_VAULT_URL string = mediaKeyVault.outputs.uri
output LMS_OPENAI_ENDPOINT string = openAi.outputs.endpoint
output LMS_OPENAI_DEPLOYMENT string = openAi.outputs.deploymentName
output LMS_MEDIA_BASE_URL string = 'https://${frontDoor.outputs.hostName}'
output MEDIA_CDN_HOST string = frontDoor.outputs.hostName
output UPLOADS_EVENT_TOPIC string = uploadEvents.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = transcoder.outputs.registryEndpoint
output TRANSCODER_JOB_NAME string = transcoder.outputs.name
output WEB_URL string = web.outputs.uri
output AZURE_STATIC_WEB_APP_NAME string = web.outputs.name
output LMS_WEB_ORIGINS string = join(webOrigins, ',')
// The web app's build-time settings (import.meta.env): azd keeps these outputs in its environment and
// the web service's prebuild hook (infra/scripts/write-web-env.sh) writes them to web/.env.production.local.
// The API base is the Functions app's origin: every route starts with /api.
output VITE_API_BASE_URL string = functionApp.outputs.uri
output VITE_AUTH_MODE string = 'entra'
output VITE_ENTRA_AUTHORITY string = empty(webEntraAuthority) ? replace(authIssuer, '/v2.0', '') : webEntraAuthority
output VITE_ENTRA_CLIENT_ID string = webEntraClientId
output VITE_ENTRA_API_SCOPE string = empty(webEntraApiScope) ? '${authAudience}/.default' : webEntraApiScope
