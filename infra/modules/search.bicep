// Azure AI Search: Entra ID only (no admin keys); the app creates its indexes from code.
param name string
param location string
param tags object
param principalId string
@description('The deploying developer (azd sets AZURE_PRINCIPAL_ID): the same data-plane access as the app, to run the emulator-free azure profile and the CLI against this deployment; empty: none')
param developerPrincipalId string = ''

resource search 'Microsoft.Search/searchServices@2023-11-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'basic' }
  properties: { disableLocalAuth: true, replicaCount: 1, partitionCount: 1, publicNetworkAccess: 'enabled' }
}

// Search Index Data Contributor (documents) and Search Service Contributor (index definitions).
var roles = ['8ebe5a00-799e-43f5-93ac-243d3dce84a7', '7ca78c08-252a-4471-8644-bb5ff32d4ba0']
resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(search.id, principalId, role)
    scope: search
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource developerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in (empty(developerPrincipalId) ? [] : roles): {
    name: guid(search.id, developerPrincipalId, role)
    scope: search
    properties: {
      principalId: developerPrincipalId
      principalType: 'User'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

output endpoint string = 'https://${search.name}.search.windows.net'
