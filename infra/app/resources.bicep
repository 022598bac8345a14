// The Function App and what it needs, in one resource group. No shared keys anywhere: storage, Application Insights,
// Key Vault and ACS are reached with the user-assigned managed identity.
import { roleIds } from '../scope/roles.bicep'

param location string
param tags object
param token string
param scope string
param sweepSchedule string
@description('TBMON_* check and alerting settings from the azd environment (main.parameters.json); a missing key takes the default.')
param thresholds object
param alertEmailFrom string
param alertFallbackTo string
param logAnalyticsWorkspaceId string
param deployEmail bool
param emailDataLocation string
@description('Role definition (GUID) that lets the identity send email: the custom sender role or the built-in owner role.')
param emailSenderRoleId string
@secure()
param teamsWebhookUrl string
@secure()
param acsConnectionString string
param logAnalyticsEndpoint string
@maxLength(8)
param keyVaultSuffix string
param logDailyCapGb int
param vnetEnabled bool

// Throughput is bounded by per-identity API quotas, not by compute. Flex Consumption scales each *function scale
// group* on its own (learn.microsoft.com/azure/azure-functions/flex-consumption-plan, "Per-function scaling": every
// HTTP function shares one group, blob triggers one, and every other trigger — the sweep timer, the evaluate queue,
// the alert queue — is its own group). Read maximumInstanceCount as a cap per group (the ARM reference words it
// "the maximum number of instances for the function app"; the arithmetic below takes the larger figure): up to
// 4 x maximumInstanceCount instances (timer, evaluate, alert, HTTP), of which only evaluate and the HTTP check query
// Log Analytics:
// - Log Analytics allows 5 concurrent queries per identity. tbmon's query gate (shared/evidence/logs-throttle.ts) is
//   per process: at most 5 in flight and 200 starts per 30 s in one instance. One tb-evaluate message (host.json
//   queues.batchSize 1, newBatchThreshold 0) is one workspace's batch and uses up to 5 queries at once, so with
//   maximumInstanceCount 1 the evaluate group holds 1 x 5 = 5 and an on-demand check in the HTTP group adds up to 5
//   more: up to 10 concurrent queries against a quota of 5 while someone checks a host during a sweep. The excess
//   meets 429s, which are retried honouring Retry-After: that costs retries, not correctness. Raising
//   maximumInstanceCount to N makes it N x 5 (+ N x 5 for HTTP): more 429s, no more throughput.
// - Resource Graph allows 15 queries per 5 s per identity. A sweep of 10,000 hosts makes <= 20 paged queries and each
//   evaluate batch <= 2, and the client waits on x-ms-user-quota-remaining / -resets-after.
// A sweep of 10,000 hosts in 20 Log Analytics workspaces is 20 batches x 5 queries = 100 queries: under 20 s of the
// 200-per-30-s quota, and a few minutes of wall time at real query latencies, inside the 15-minute schedule.
@minValue(1)
@description('Flex Consumption instances per function scale group (see the quota arithmetic above).')
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
    // With VNet integration the app reaches storage through its private endpoints only (as in the quickstart).
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: vnetEnabled ? { defaultAction: 'Deny', bypass: 'None' } : { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
  resource blobs 'blobServices' = {
    name: 'default'
    resource deployment 'containers' = {
      name: 'deploymentpackage'
    }
  }
  resource queues 'queueServices' existing = {
    name: 'default'
  }
  resource tables 'tableServices' existing = {
    name: 'default'
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
    // A runaway log volume (a debug level left on, a noisy failure loop) stops at the cap instead of the bill.
    workspaceCapping: { dailyQuotaGb: logDailyCapGb }
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

// The name carries keyVaultSuffix (random per azd environment, rotated by the postdown hook): with purge protection a
// deleted vault cannot be purged and keeps its name for the retention period, so a redeploy needs a new one.
// 3-24 characters: 'kv-tb-' (6) + 10 + up to 8.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-tb-${take(token, 10)}${take(keyVaultSuffix, 8)}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // Key Vault security baseline: a deleted secret or vault can be recovered, never purged early.
    enablePurgeProtection: true
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: vnetEnabled ? { defaultAction: 'Deny', bypass: 'AzureServices' } : { defaultAction: 'Allow', bypass: 'AzureServices' }
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
  properties: { dataLocation: emailDataLocation }
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
    dataLocation: emailDataLocation
    linkedDomains: [emailService::managedDomain.id]
  }
}

// Sending email with Entra ID needs a role on the ACS resource: main.bicep's custom sender role by default, the
// built-in Communication and Email Service Owner with emailSenderRole 'builtin'.
resource communicationSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployEmail) {
  name: guid(communication.id, identity.id, emailSenderRoleId)
  scope: communication
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRoleId)
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
// The Azure-managed domain sends 5 emails a minute and 10 an hour; a custom domain (alertEmailFrom) 30 and 100.
var managedDomainPacing = deployEmail && empty(alertEmailFrom)
var emailPerMinute = thresholds.?TBMON_EMAIL_PER_MINUTE ?? ''
var emailPerHour = thresholds.?TBMON_EMAIL_PER_HOUR ?? ''

module network 'network.bicep' = if (vnetEnabled) {
  name: 'tbmon-network-${token}'
  params: {
    location: location
    tags: tags
    token: token
    storageAccountId: storage.id
    keyVaultId: vault.id
  }
}

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
    // App Service security baseline: no FTP; TLS 1.2 at least.
    siteConfig: { minTlsVersion: '1.2', ftpsState: 'Disabled' }
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : null
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

  // App Service security baseline: basic (publishing profile) credentials off for FTP and SCM. azd deploys to Flex
  // Consumption through the deployment container with Entra ID, which these do not affect
  // (learn.microsoft.com/azure/templates/microsoft.web/sites/basicpublishingcredentialspolicies).
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }
  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
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
      // The Node worker's V8 heap limit (bin/heap.cjs, the CLI's too; a test holds them equal): tbmon's live memory is
      // bounded, and with a limit the collector keeps to it instead of growing the heap towards the instance's memory.
      // learn.microsoft.com/azure/azure-functions/functions-reference-node#languageworkers__node__arguments
      languageWorkers__node__arguments: '--max-old-space-size=256'
      // tbmon settings (DESIGN.md § Settings). Every value comes from a parameter (the azd environment) or a
      // default spelled out here, so `azd provision` keeps what `azd env set` chose; a portal edit is overwritten.
      TBMON_SCOPE: scope
      TBMON_SWEEP_SCHEDULE: sweepSchedule
      TBMON_HOST_TAG: thresholds.?TBMON_HOST_TAG ?? 'tensorboard'
      TBMON_OWNER_TAGS: thresholds.?TBMON_OWNER_TAGS ?? 'tensorboard-owner,owner'
      TBMON_LOG_ANALYTICS_WORKSPACE_ID: logAnalyticsWorkspaceId
      TBMON_LOOKBACK: thresholds.?TBMON_LOOKBACK ?? 'PT1H'
      TBMON_JOB_HORIZON: thresholds.?TBMON_JOB_HORIZON ?? 'P7D'
      TBMON_ALERT_EMAIL_FROM: senderAddress
      TBMON_ALERT_FALLBACK_TO: alertFallbackTo
      ACS_ENDPOINT: deployEmail ? 'https://${communication.properties.hostName}' : ''
      ACS_CONNECTION_STRING: empty(acsConnectionString) ? '' : '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/acs-connection-string/)'
      TEAMS_WEBHOOK_URL: empty(teamsWebhookUrl) ? '' : '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/teams-webhook-url/)'
      AZURE_RESOURCE_MANAGER_ENDPOINT: environment().resourceManager
      AZURE_LOG_ANALYTICS_ENDPOINT: logAnalyticsEndpoint
      AZURE_AUTHORITY_HOST: environment().authentication.loginEndpoint
      TBMON_CLIENT_SOURCES: thresholds.?TBMON_CLIENT_SOURCES ?? 'VirtualNetwork'
      TBMON_MIN_VCPUS: thresholds.?TBMON_MIN_VCPUS ?? '2'
      TBMON_MIN_MEMORY_GB: thresholds.?TBMON_MIN_MEMORY_GB ?? '8'
      TBMON_LAUNCH_LOG_TABLE: thresholds.?TBMON_LAUNCH_LOG_TABLE ?? 'Syslog'
      TBMON_LAUNCH_LOG_TAG: thresholds.?TBMON_LAUNCH_LOG_TAG ?? 'tensorboard'
      TBMON_HISTORY_DAYS: thresholds.?TBMON_HISTORY_DAYS ?? '30'
      TBMON_ALERT_MIN_STATUS: thresholds.?TBMON_ALERT_MIN_STATUS ?? 'fail'
      TBMON_ALERT_ON_FIRST_SIGHT: thresholds.?TBMON_ALERT_ON_FIRST_SIGHT ?? 'true'
      TBMON_ALERT_NEW_CHECKS: thresholds.?TBMON_ALERT_NEW_CHECKS ?? 'false'
      TBMON_DATA_GAP_SWEEPS: thresholds.?TBMON_DATA_GAP_SWEEPS ?? '4'
      TBMON_EMAIL_PER_MINUTE: empty(emailPerMinute) ? (managedDomainPacing ? '5' : '30') : emailPerMinute
      TBMON_EMAIL_PER_HOUR: empty(emailPerHour) ? (managedDomainPacing ? '10' : '100') : emailPerHour
      TBMON_DISK_FAIL_PCT: thresholds.?TBMON_DISK_FAIL_PCT ?? '10'
      TBMON_DISK_WARN_PCT: thresholds.?TBMON_DISK_WARN_PCT ?? '20'
      TBMON_MEMORY_WARN_PCT: thresholds.?TBMON_MEMORY_WARN_PCT ?? '10'
      TBMON_CPU_WARN_PCT: thresholds.?TBMON_CPU_WARN_PCT ?? '90'
      // Empty (the default): links go to https://<this app's host name>/api/status (WEBSITE_HOSTNAME). The status route keeps its
      // function key: App Service Authentication (Entra ID) is not supported on Flex Consumption — "EasyAuth isn't
      // currently supported. Unauthenticated callers currently aren't blocked when EasyAuth is enabled in a Flex
      // Consumption plan app." (learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations) — so
      // no authsettingsV2 is deployed: enabled, it would look like protection and block no one.
      TBMON_STATUS_URL: thresholds.?TBMON_STATUS_URL ?? ''
    }
    // A Key Vault reference resolves only once its secret exists and the identity may read it; otherwise the app
    // sees the literal reference (and the platform retries every 24 hours). Ordering is all a template can do: a
    // role that has not propagated yet is reported by the app (shared/config.ts) with the refresh call, and the
    // postprovision hook makes that call.
    dependsOn: [teamsSecret, acsSecret, vaultSecretsUser]
  }
  dependsOn: [storageRoleAssignments, vaultSecretsUser, appInsightsPublisher]
}

// Diagnostic settings to the workspace (App Service, Storage and Key Vault security baselines): who read which
// secret, storage access, the app's own logs.
resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'tbmon-audit'
  scope: vault
  properties: {
    workspaceId: logs.id
    logs: [{ categoryGroup: 'audit', enabled: true }]
  }
}

var storageLogs = [{ category: 'StorageRead', enabled: true }, { category: 'StorageWrite', enabled: true }, { category: 'StorageDelete', enabled: true }]
resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'tbmon-storage'
  scope: storage::blobs
  properties: { workspaceId: logs.id, logs: storageLogs }
}
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'tbmon-storage'
  scope: storage::queues
  properties: { workspaceId: logs.id, logs: storageLogs }
}
resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'tbmon-storage'
  scope: storage::tables
  properties: { workspaceId: logs.id, logs: storageLogs }
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'tbmon-app'
  scope: functionApp
  properties: {
    workspaceId: logs.id
    logs: [{ category: 'FunctionAppLogs', enabled: true }]
  }
}

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output applicationInsightsName string = appInsights.name
output applicationInsightsId string = appInsights.id
output keyVaultName string = vault.name
