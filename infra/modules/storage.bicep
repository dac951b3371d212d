// Storage for the Functions host, the deployment package, and the platform's blob containers.
param name string
param location string
param tags object
param principalId string
@description('The deploying developer (azd sets AZURE_PRINCIPAL_ID): the same data-plane access as the app, to run the emulator-free azure profile and the CLI against this deployment; empty: none')
param developerPrincipalId string = ''

@description('Browser origins of the web app: they PUT uploads to signed URLs and fetch HLS segments')
param corsOrigins array = []

@description('Blob containers the platform uses (see shared/ for their names)')
param containers array = ['deployments', 'uploads', 'media', 'certificates']

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // Not losing data: a deleted or overwritten blob stays restorable for 14 days (soft delete and
    // versions), a deleted container too, and the account can be rolled back to any moment of the last
    // 13 days (point-in-time restore, which needs versioning and the change feed). README: Backups.
    deleteRetentionPolicy: { enabled: true, days: 14 }
    containerDeleteRetentionPolicy: { enabled: true, days: 14 }
    isVersioningEnabled: true
    changeFeed: { enabled: true, retentionInDays: 14 }
    restorePolicy: { enabled: true, days: 13 }
    // A signed URL is the credential, so only what a browser needs: the web app's exact origins, the
    // methods of a direct upload (PUT) and of playback (GET, HEAD), the headers an upload carries.
    cors: {
      corsRules: empty(corsOrigins) ? [] : [
        {
          allowedOrigins: corsOrigins
          allowedMethods: ['GET', 'HEAD', 'PUT', 'OPTIONS']
          allowedHeaders: ['content-type', 'x-ms-blob-type', 'x-ms-version', 'range']
          exposedHeaders: ['etag', 'content-length', 'content-range']
          maxAgeInSeconds: 600
        }
      ]
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: { publicAccess: 'None' }
  }
]

// Storage Blob Data Owner (host + platform blobs), Queue and Table Data Contributor (host internals).
var roles = ['b7e6dc6d-f1e8-4753-8033-0f276bb0955b', '974c5e8b-45b9-4653-ba55-5f855dd0fb88', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3']
resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in roles: {
    name: guid(account.id, principalId, role)
    scope: account
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource developerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in (empty(developerPrincipalId) ? [] : roles): {
    name: guid(account.id, developerPrincipalId, role)
    scope: account
    properties: {
      principalId: developerPrincipalId
      principalType: 'User'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output blobHost string = '${account.name}.blob.${environment().suffixes.storage}'
output deploymentContainerName string = 'deployments'
