// The Function App and what it needs, in one resource group. No shared keys anywhere: storage, Application Insights,
// Key Vault and ACS are reached with the user-assigned managed identity.
import { roleIds } from '../scope/roles.bicep'

param location string
param tags object
param token string
param scope string
param alertEmailFrom string
param alertFallbackTo string
param logAnalyticsWorkspaceId string
param deployEmail bool
@secure()
param teamsWebhookUrl string
@secure()
param acsConnectionString string
param logAnalyticsEndpoint string

// Throughput is bounded by per-identity API quotas, not by compute:
// - Log Analytics allows 5 concurrent queries per identity. tbmon's query gate (shared/evidence/logs-throttle.ts) is
//   process-wide: every invocation in an instance shares at most 5 queries in flight and 200 starts per 30 s. One
//   tb-evaluate message (host.json queues.batchSize 1, newBatchThreshold 0) is one Log Analytics workspace's batch and
//   needs at most 5 queries (one per evidence family), so one instance already uses the whole quota:
//   maximumInstanceCount 1 x 5 = 5 concurrent queries. More instances would only meet 429s (which are retried,
//   honouring Retry-After, so raising it costs retries, not correctness).
// - Resource Graph allows 15 queries per 5 s per identity. A sweep of 10,000 hosts makes <= 20 paged queries and each
//   evaluate batch <= 2, and the client waits on x-ms-user-quota-remaining / -resets-after.
// A sweep of 10,000 hosts in 20 Log Analytics workspaces is 20 batches x 5 queries = 100 queries: under 20 s of the
// 200-per-30-s quota, and a few minutes of wall time at real query latencies, inside the 15-minute schedule.
@minValue(1)
@description('Flex Consumption instances (see the quota arithmetic above).')
param maximumInstanceCount int = 1
var instanceMemoryMB = 2048

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-tbmon-${token}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'sttbmon${take(token, 16)}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
  resource blobs 'blobServices' = {
    name: 'default'
    resource deployment 'containers' = {
      name: 'deploymentpackage'
    }
  }
}

// What the Functions host and tbmon need on the storage account: blobs (host leases, deployment package),
// queues (tb-evaluate, tb-alerts and their -poison queues), tables (sweeps, batches, reports, history, outbox).
var storageRoles = [roleIds.storageBlobDataOwner, roleIds.storageQueueDataContributor, roleIds.storageTableDataContributor]
resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-tbmon-${token}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-tbmon-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-tbmon-${take(token, 14)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource teamsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(teamsWebhookUrl)) {
  parent: vault
  name: 'teams-webhook-url'
  properties: { value: teamsWebhookUrl }
}

resource acsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(acsConnectionString)) {
  parent: vault
  name: 'acs-connection-string'
  properties: { value: acsConnectionString }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roleIds.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
  }
}

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = if (deployEmail) {
  name: 'email-tbmon-${token}'
  location: 'global'
  tags: tags
  properties: { dataLocation: 'United States' }
  resource managedDomain 'domains' = {
    name: 'AzureManagedDomain'
    location: 'global'
    properties: { domainManagement: 'AzureManaged', userEngagementTracking: 'Disabled' }
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = if (deployEmail) {
  name: 'acs-tbmon-${token}'
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'United States'
    linkedDomains: [emailService::managedDomain.id]
  }
}

// Sending email with Entra ID needs a role on the ACS resource; the built-in role is the one confirmed to work.
resource communicationSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployEmail) {
  name: guid(communication.id, identity.id, roleIds.communicationAndEmailServiceOwner)
  scope: communication
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.communicationAndEmailServiceOwner)
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-tbmon-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

var senderAddress = !empty(alertEmailFrom) ? alertEmailFrom : (deployEmail ? 'DoNotReply@${emailService::managedDomain.properties.mailFromSenderDomain}' : '')

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-tbmon-${token}'
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: { minTlsVersion: '1.2' }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}deploymentpackage'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      runtime: { name: 'node', version: '22' }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Platform: identity-based host storage and telemetry (no keys).
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      AZURE_CLIENT_ID: identity.properties.clientId
      // tbmon settings (DESIGN.md § Settings); defaults spelled out so the portal shows what is in force.
      TBMON_SCOPE: scope
      TBMON_SWEEP_SCHEDULE: '0 */15 * * * *'
      TBMON_HOST_TAG: 'tensorboard'
      TBMON_OWNER_TAGS: 'tensorboard-owner,owner'
      TBMON_LOG_ANALYTICS_WORKSPACE_ID: logAnalyticsWorkspaceId
      TBMON_LOOKBACK: 'PT1H'
      TBMON_ALERT_EMAIL_FROM: senderAddress
      TBMON_ALERT_FALLBACK_TO: alertFallbackTo
      ACS_ENDPOINT: deployEmail ? 'https://${communication.properties.hostName}' : ''
      ACS_CONNECTION_STRING: empty(acsConnectionString) ? '' : '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/acs-connection-string/)'
      TEAMS_WEBHOOK_URL: empty(teamsWebhookUrl) ? '' : '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/teams-webhook-url/)'
      AZURE_RESOURCE_MANAGER_ENDPOINT: environment().resourceManager
      AZURE_LOG_ANALYTICS_ENDPOINT: logAnalyticsEndpoint
      AZURE_AUTHORITY_HOST: environment().authentication.loginEndpoint
      TBMON_CLIENT_SOURCES: 'VirtualNetwork'
      TBMON_MIN_VCPUS: '2'
      TBMON_MIN_MEMORY_GB: '8'
      TBMON_LAUNCH_LOG_TABLE: 'Syslog'
      TBMON_LAUNCH_LOG_TAG: 'tensorboard'
      TBMON_HISTORY_DAYS: '30'
      TBMON_ALERT_MIN_STATUS: 'fail'
      TBMON_ALERT_ON_FIRST_SIGHT: 'true'
      TBMON_ALERT_NEW_CHECKS: 'false'
      TBMON_DATA_GAP_SWEEPS: '4'
      TBMON_EMAIL_PER_MINUTE: deployEmail && empty(alertEmailFrom) ? '5' : '30'
      TBMON_EMAIL_PER_HOUR: deployEmail && empty(alertEmailFrom) ? '10' : '100'
      TBMON_DISK_FAIL_PCT: '10'
      TBMON_DISK_WARN_PCT: '20'
      TBMON_MEMORY_WARN_PCT: '10'
      TBMON_CPU_WARN_PCT: '90'
    }
  }
  dependsOn: [storageRoleAssignments, vaultSecretsUser]
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output applicationInsightsName string = appInsights.name
