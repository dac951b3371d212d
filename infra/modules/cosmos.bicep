// Cosmos DB NoSQL: one database, one container per document kind, each partitioned and indexed as the code
// declares it (infra/cosmos-containers.json), and the same containers in each dedicated database that tenants
// can be placed in. A container's partition key cannot change: a new key means a new container (and a copy).
param name string
param location string
param tags object
param principalId string
@description('The deploying developer (azd sets AZURE_PRINCIPAL_ID): the same data-plane access as the app, to run the emulator-free azure profile and the CLI against this deployment; empty: none')
param developerPrincipalId string = ''
param databaseName string = 'lms'
@description('Containers of the document store with their partition key paths and indexing policies, written by the code: python -m shared.cli cosmos-containers > infra/cosmos-containers.json')
param containers array = loadJsonContent('../cosmos-containers.json')

@description('Dedicated databases for tenants placed apart (LMS_COSMOS_PLACEMENT maps a tenant to one); each gets every container of the shared one')
param dedicatedDatabases array = []

@description('Point-in-time restore window: 7 days (no charge) or 30 days (charged per GB)')
@allowed(['Continuous7Days', 'Continuous30Days'])
param backupTier string = 'Continuous7Days'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    capabilities: [{ name: 'EnableServerless' }]
    // Continuous backup: restore the account (or a database or container) to any second of the
    // retention window into a new account. README: Backups.
    backupPolicy: { type: 'Continuous', continuousModeProperties: { tier: backupTier } }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

// Each container's partition key, as the code declares it: /tenantId; /tenantId then /id, a hierarchical
// (MultiHash) key for the containers a tenant can grow past one 20 GB logical partition in; or /id for the
// leases of the Functions Cosmos DB triggers, as the change feed processor requires.
var partitionKeys = [
  for container in containers: {
    paths: container.partitionKeyPaths
    kind: (length(container.partitionKeyPaths) > 1) ? 'MultiHash' : 'Hash'
    version: 2
  }
]

resource documentContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for (container, i) in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: partitionKeys[i]
        // Only the paths the code's queries filter and order on, and a composite index per multi-key ORDER BY.
        indexingPolicy: container.indexingPolicy
        // -1: TTL is on, and each document decides its own (documents without ttl never expire).
        defaultTtl: -1
      }
    }
  }
]

// A dedicated database is a copy of the shared one's layout: the same containers, partition keys and
// indexes (one loop over every database and container, since Bicep has no nested loops).
resource placedDatabases 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = [
  for placed in dedicatedDatabases: {
    parent: account
    name: placed
    properties: { resource: { id: placed } }
  }
]

resource placedContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for i in range(0, length(dedicatedDatabases) * length(containers)): {
    parent: placedDatabases[i / length(containers)]
    name: containers[i % length(containers)].name
    properties: {
      resource: {
        id: containers[i % length(containers)].name
        partitionKey: partitionKeys[i % length(containers)]
        indexingPolicy: containers[i % length(containers)].indexingPolicy
        defaultTtl: -1
      }
    }
  }
]

// Cosmos DB Built-in Data Contributor (data plane), granted to the app's identity.
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, principalId, 'data-contributor')
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: account.id
  }
}

resource developerDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = if (!empty(developerPrincipalId)) {
  parent: account
  name: guid(account.id, developerPrincipalId, 'data-contributor')
  properties: {
    principalId: developerPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: account.id
  }
}

output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = databaseName
