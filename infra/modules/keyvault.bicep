// Key Vault (RBAC) for the platform's secrets: signing keys, webhook secrets.
param name string
param location string
param tags object
param principalId string
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

// Key Vault Secrets Officer: the app reads secrets and creates generated ones on first use.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7')
  }
}

output uri string = vault.properties.vaultUri
