// tbmon: everything `azd up` deploys. Subscription scope (azd's default): a resource group with the Function App
// and its dependencies, plus Reader + Log Analytics Reader on this subscription for the scan. Scanning a management
// group is a separate step (infra/scope/management-group-roles.bicep; see README § Deploy).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names and tags derive from it.')
param environmentName string

@minLength(1)
@description('Region for every resource.')
param location string

@description('TBMON_SCOPE: all | subscriptions:<id>,<id> | managementGroup:<id>')
param scope string = 'all'

@description('TBMON_ALERT_EMAIL_FROM: ACS sender address (empty: the deployed Azure-managed domain sender when deployEmail is true).')
param alertEmailFrom string = ''

@description('TBMON_ALERT_FALLBACK_TO: comma-separated addresses for hosts without an owner.')
param alertFallbackTo string = ''

@description('TBMON_LOG_ANALYTICS_WORKSPACE_ID: default Log Analytics workspace customer id (GUID), or empty.')
param logAnalyticsWorkspaceId string = ''

@description('Deploy Azure Communication Services + Email with an Azure-managed domain (5 emails/min, 10/hour: for trials; use a custom domain for 30/100).')
param deployEmail bool = false

@secure()
@description('TEAMS_WEBHOOK_URL (a secret): stored in Key Vault, referenced from app settings. Empty: no Teams.')
param teamsWebhookUrl string = ''

@secure()
@description('ACS_CONNECTION_STRING for an existing ACS resource (a secret; stored in Key Vault). Prefer deployEmail (managed identity).')
param acsConnectionString string = ''

@description('Azure Monitor Logs query endpoint (sovereign clouds differ).')
param logAnalyticsEndpoint string = 'https://api.loganalytics.io/v1'

@description('Grant Reader and Log Analytics Reader on this subscription to the monitor identity.')
param grantSubscriptionRoles bool = true

var tags = { 'azd-env-name': environmentName, app: 'tbmon' }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-tbmon-${environmentName}'
  location: location
  tags: tags
}

module app 'app/resources.bicep' = {
  name: 'tbmon-resources'
  scope: rg
  params: {
    location: location
    tags: tags
    token: token
    scope: scope
    alertEmailFrom: alertEmailFrom
    alertFallbackTo: alertFallbackTo
    logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
    deployEmail: deployEmail
    teamsWebhookUrl: teamsWebhookUrl
    acsConnectionString: acsConnectionString
    logAnalyticsEndpoint: logAnalyticsEndpoint
  }
}

// Reader (ARM + Resource Graph) and Log Analytics Reader (query API) where the monitor looks.
module subscriptionRoles 'scope/subscription-roles.bicep' = if (grantSubscriptionRoles) {
  name: 'tbmon-subscription-roles'
  params: {
    principalId: app.outputs.identityPrincipalId
  }
}

output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output AZURE_FUNCTION_APP_URL string = app.outputs.functionAppUrl
output TBMON_IDENTITY_PRINCIPAL_ID string = app.outputs.identityPrincipalId
output TBMON_IDENTITY_CLIENT_ID string = app.outputs.identityClientId
output APPLICATIONINSIGHTS_NAME string = app.outputs.applicationInsightsName
