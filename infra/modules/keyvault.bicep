// Key Vault (RBAC): the platform's secrets (signing keys, webhook secrets), or, as a vault of its
// own, the per-asset HLS content keys, which the transcoder creates and the app only reads.
param name string
param location string
param tags object
param principalId string
@description('The deploying developer (azd sets AZURE_PRINCIPAL_ID): the same data-plane access as the app, to run the emulator-free azure profile and the CLI against this deployment; empty: none')
param developerPrincipalId string = ''
@description('officer: the app reads secrets and creates generated ones on first use; reader: it only reads them (the media keys vault, which the transcoder writes)')
@allowed(['officer', 'reader'])
param appAccess string = 'officer'
@description('recover brings back the soft-deleted vault of this name (its secrets too) instead of creating one')
@allowed(['default', 'recover'])
param createMode string = 'default'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    createMode: createMode
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
  }
}

var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer: read and write
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User: read only
var appRole = appAccess == 'officer' ? secretsOfficer : secretsUser

resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, appRole)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', appRole)
  }
}

resource developerSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(developerPrincipalId)) {
  name: guid(vault.id, developerPrincipalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    principalId: developerPrincipalId
    principalType: 'User'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  }
}

output uri string = vault.properties.vaultUri
output name string = vault.name
