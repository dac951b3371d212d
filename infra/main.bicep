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
  params: { name: 'cosmos-lms-${token}', location: location, tags: tags, principalId: identity.outputs.principalId }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: { name: 'kv-lms-${take(token, 13)}', location: location, tags: tags, principalId: identity.outputs.principalId }
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
    appSettings: {
      LMS_PROFILE: 'azure'
      LMS_AUTH_ISSUER: authIssuer
      LMS_AUTH_AUDIENCE: authAudience
      LMS_AUTH_JWKS_URL: authJwksUrl
      LMS_AUTH_TENANT_CLAIM: authTenantClaim
      COSMOS__accountEndpoint: cosmos.outputs.endpoint
      AZURE_CLIENT_ID: identity.outputs.clientId
    }
  }
}

output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_BASE_URL string = functionApp.outputs.uri
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
