// tbmon: everything `azd up` deploys. Subscription scope (azd's default): a resource group (new, or an existing one)
// with the Function App and its dependencies, and the scan's role on every subscription TBMON_SCOPE lists (or this
// one). A management group scope is granted by the postprovision hook (infra/scripts/azd-hooks.mjs) or by the exact
// command it prints: azd deploys at subscription scope only.
//
// Shapes checked against the published resource references (learn.microsoft.com/azure/templates/<type>) and the
// Flex Consumption quickstart (Azure-Samples/functions-quickstart-typescript-azd, infra/main.bicep and
// infra/app/*.bicep, commit cba3922), which is where the region list, the azd location metadata and the VNet layout
// come from. No Bicep compiler runs here: test/deploy/bicep.test.ts reads these files as text.
targetScope = 'subscription'
import { roleIds } from 'scope/roles.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Region for every resource: one where Flex Consumption runs (the quickstart\'s list; `az functionapp list-flexconsumption-locations` has today\'s).')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'eastus2euap'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('An existing resource group to deploy into (empty: create rg-tbmon-<environment>).')
param resourceGroupName string = ''

@description('TBMON_SCOPE: all | subscriptions:<id>,<id> | managementGroup:<id>')
param scope string = 'all'

@description('More subscriptions to grant the scan role on (beyond those TBMON_SCOPE lists and this one). The deploying identity needs User Access Administrator there.')
param grantSubscriptionIds array = []

@description('Grant the scan role on this subscription (and on every subscription TBMON_SCOPE lists).')
param grantSubscriptionRoles bool = true

@description('TBMON_SWEEP_SCHEDULE (NCRONTAB, 6 fields). Kept across `azd provision` as the azd environment value.')
param sweepSchedule string = '0 */15 * * * *'

@minValue(1)
@description('Minutes between sweeps as the schedule runs them: the "no sweep" alert fires after twice this.')
param sweepIntervalMinutes int = 15

@description('Check thresholds and alerting settings (TBMON_* app settings), kept across `azd provision` as azd environment values.')
param thresholds object = {}

@description('TBMON_ALERT_EMAIL_FROM: ACS sender address (empty: the deployed Azure-managed domain sender when deployEmail is true).')
param alertEmailFrom string = ''

@description('TBMON_ALERT_FALLBACK_TO: comma-separated addresses for hosts without an owner.')
param alertFallbackTo string = ''

@description('Who hears about tbmon itself failing (the action group of the app alerts): comma-separated addresses; empty: TBMON_ALERT_FALLBACK_TO.')
param opsEmails string = ''

@description('TBMON_LOG_ANALYTICS_WORKSPACE_ID: default Log Analytics workspace customer id (GUID), or empty.')
param logAnalyticsWorkspaceId string = ''

@description('Deploy Azure Communication Services + Email with an Azure-managed domain (5 emails/min, 10/hour: for trials; use a custom domain for 30/100).')
param deployEmail bool = false

@description('Where ACS stores its data at rest (a dataLocation of Microsoft.Communication: United States, Europe, UK, Australia, Japan, …).')
param emailDataLocation string = 'United States'

@allowed(['custom', 'builtin'])
@description('Role that lets the identity send email: custom (least privilege: read the ACS resource, the actions the ACS docs list for Entra ID sending) or builtin (Communication and Email Service Owner).')
param emailSenderRole string = 'custom'

@secure()
@description('TEAMS_WEBHOOK_URL (a secret): stored in Key Vault, referenced from app settings. Empty: no Teams.')
param teamsWebhookUrl string = ''

@secure()
@description('ACS_CONNECTION_STRING for an existing ACS resource (a secret; stored in Key Vault). Prefer deployEmail (managed identity).')
param acsConnectionString string = ''

@description('Azure Monitor Logs query endpoint (sovereign clouds differ).')
param logAnalyticsEndpoint string = 'https://api.loganalytics.io/v1'

@maxLength(8)
@description('Key Vault name suffix. The preprovision hook sets a random one per azd environment and the postdown hook rotates it: a vault `azd down` leaves soft-deleted (purge protection: 90 days, unpurgeable) keeps its name.')
param keyVaultSuffix string = ''

@description('Log Analytics daily ingestion cap in GB (-1: none).')
param logDailyCapGb int = 1

@description('VNet integration for the app and private endpoints for storage and Key Vault (for workspaces reachable only over Private Link, AMPLS).')
param vnetEnabled bool = false

@description('Alerts on tbmon itself (failed executions, no sweep, poison messages) and the "hosts failing" metric alert, with an action group.')
param deployAppAlerts bool = true

@minValue(0)
@description('The "hosts failing" metric alert fires when a sweep interval\'s evaluations count more failing hosts than this.')
param hostsFailingThreshold int = 0

var tags = { 'azd-env-name': environmentName, app: 'tbmon' }
// Unique per subscription, environment and region: also names every nested deployment, so two environments in two
// regions of one subscription never meet a deployment of the same name elsewhere (InvalidDeploymentLocation).
var token = toLower(uniqueString(subscription().id, environmentName, location))
var rgName = empty(resourceGroupName) ? 'rg-tbmon-${environmentName}' : resourceGroupName

resource newRg 'Microsoft.Resources/resourceGroups@2024-03-01' = if (empty(resourceGroupName)) {
  name: rgName
  location: location
  tags: tags
}

// Modules below deploy into resourceGroup(rgName) and depend on newRg (nothing to wait for when it exists already).

// Sending email with Entra ID needs a role on the ACS resource. Custom (the default): the actions the ACS docs give for
// a least-privilege sender (learn.microsoft.com/azure/communication-services/quickstarts/email/send-email-smtp/
// smtp-authentication, "custom role": read and write the Communication resource, write the Email service).
resource emailSenderDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (deployEmail && emailSenderRole == 'custom') {
  name: guid(subscription().id, 'tbmon-email-sender', token)
  properties: {
    roleName: 'tbmon email sender (${environmentName}, ${token})'
    description: 'Send email through Azure Communication Services with Microsoft Entra ID (tbmon).'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
        notActions: []
      }
    ]
    assignableScopes: [subscription().id]
  }
}

module app 'app/resources.bicep' = {
  name: 'tbmon-resources-${token}'
  scope: resourceGroup(rgName)
  dependsOn: [newRg]
  params: {
    location: location
    tags: tags
    token: token
    scope: scope
    sweepSchedule: sweepSchedule
    thresholds: thresholds
    alertEmailFrom: alertEmailFrom
    alertFallbackTo: alertFallbackTo
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    deployEmail: deployEmail
    emailDataLocation: emailDataLocation
    emailSenderRoleId: deployEmail && emailSenderRole == 'custom' ? emailSenderDefinition.name : roleIds.communicationAndEmailServiceOwner
    teamsWebhookUrl: teamsWebhookUrl
    acsConnectionString: acsConnectionString
    logAnalyticsEndpoint: logAnalyticsEndpoint
    keyVaultSuffix: keyVaultSuffix
    logDailyCapGb: logDailyCapGb
    vnetEnabled: vnetEnabled
  }
}

module workbook 'app/workbook.bicep' = {
  name: 'tbmon-workbook-${token}'
  scope: resourceGroup(rgName)
  params: {
    location: location
    tags: tags
    token: token
    applicationInsightsId: app.outputs.applicationInsightsId
  }
}

module appAlerts 'app/alerts.bicep' = if (deployAppAlerts) {
  name: 'tbmon-alerts-${token}'
  scope: resourceGroup(rgName)
  params: {
    location: location
    tags: tags
    token: token
    applicationInsightsId: app.outputs.applicationInsightsId
    emails: empty(opsEmails) ? alertFallbackTo : opsEmails
    sweepIntervalMinutes: sweepIntervalMinutes
    hostsFailingThreshold: hostsFailingThreshold
    functionAppName: app.outputs.functionAppName
  }
}

// The scan's role where tbmon looks: this subscription, every subscription TBMON_SCOPE lists, grantSubscriptionIds.
var listed = startsWith(toLower(scope), 'subscriptions:') ? map(split(substring(scope, length('subscriptions:')), ','), s => toLower(trim(s))) : []
var grantTargets = union(grantSubscriptionRoles ? union([subscription().subscriptionId], listed) : [], map(grantSubscriptionIds, s => toLower(string(s))))

module subscriptionRoles 'scope/subscription-roles.bicep' = [for (sub, i) in grantTargets: if (!empty(sub)) {
  name: 'tbmon-roles-${token}-${i}'
  scope: subscription(sub)
  params: {
    principalId: app.outputs.identityPrincipalId
  }
}]

output AZURE_RESOURCE_GROUP string = rgName
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output AZURE_FUNCTION_APP_URL string = app.outputs.functionAppUrl
output TBMON_IDENTITY_PRINCIPAL_ID string = app.outputs.identityPrincipalId
output TBMON_IDENTITY_CLIENT_ID string = app.outputs.identityClientId
output APPLICATIONINSIGHTS_NAME string = app.outputs.applicationInsightsName
output TBMON_KEY_VAULT_NAME string = app.outputs.keyVaultName
output TBMON_WORKBOOK_ID string = workbook.outputs.workbookId
