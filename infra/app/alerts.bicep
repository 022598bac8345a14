// Alerts on tbmon itself, to an action group: a function execution failed, no sweep ran for twice the schedule, a
// queue message went to a -poison queue. Log search alerts on Application Insights (the host records every execution
// in `requests`, its own warnings and tbmon's log lines in `traces`) — they need nothing tbmon does not already emit,
// and an availability test of GET /api/health beside them (below).
// Shapes: learn.microsoft.com/azure/templates/microsoft.insights/scheduledqueryrules (2021-08-01) and
// microsoft.insights/actiongroups (2023-01-01). Each query is validated against the Application Insights schemas by
// test/deploy/bicep.test.ts (the Kusto language service).
param location string
param tags object
param token string
param applicationInsightsId string
@description('Comma-separated addresses of the action group; empty: an action group without receivers (add them in the portal).')
param emails string
@minValue(1)
param sweepIntervalMinutes int
@minValue(0)
param hostsFailingThreshold int
@description('The Function App whose GET /api/health the availability test probes.')
param functionAppName string

var receivers = [for (address, i) in filter(map(split(emails, ','), a => trim(a)), a => !empty(a)): {
  name: 'tbmon-ops-${i}'
  emailAddress: address
  useCommonAlertSchema: true
}]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-tbmon-${token}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'tbmon'
    enabled: true
    emailReceivers: receivers
  }
}

// The Functions host writes one `requests` row per execution (name = the function), success false when it threw.
var failedExecutionsQuery = 'requests | where name in ("sweep", "evaluate", "alert", "check", "status", "health", "notifyTest") | where success == false | project timestamp, name, resultCode, operation_Id'
// A sweep that ran is a successful `sweep` row; none in twice the schedule's interval means the timer or the app is down.
var sweepsQuery = 'requests | where name == "sweep" | where success == true | project timestamp'
// The queue extension's warning when a message reaches maxDequeueCount (Azure/azure-webjobs-sdk: "Message has reached
// MaxDequeueCount of N. Moving message to queue 'X-poison'."), and tbmon's own for a message that does not validate.
var poisonQuery = 'traces | where message has "Moving message to queue" or message has "message not processed" | project timestamp, message, operation_Name'

var window = 'PT${2 * sweepIntervalMinutes}M'

resource failedExecutions 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: 'tbmon-failed-executions-${token}'
  location: location
  tags: tags
  properties: {
    displayName: 'tbmon: a function execution failed'
    description: 'A sweep, evaluate, alert, check or status execution threw. The traces of its operation_Id say why.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: failedExecutionsQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: [actionGroup.id] }
  }
}

resource noSweep 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: 'tbmon-no-sweep-${token}'
  location: location
  tags: tags
  properties: {
    displayName: 'tbmon: no sweep for twice the schedule'
    description: 'No successful sweep in ${window}: the timer did not fire, the app is stopped, or every sweep failed.'
    severity: 1
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: window
    criteria: {
      allOf: [
        {
          query: sweepsQuery
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: [actionGroup.id] }
  }
}

resource poisonMessages 'Microsoft.Insights/scheduledQueryRules@2021-08-01' = {
  name: 'tbmon-poison-messages-${token}'
  location: location
  tags: tags
  properties: {
    displayName: 'tbmon: a queue message went to the poison queue'
    description: 'A tb-evaluate or tb-alerts message failed 5 attempts or did not validate: it waits in the -poison queue.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    autoMitigate: true
    actions: { actionGroups: [actionGroup.id] }
  }
}

// "Hosts failing": a metric alert on tbmon's own metric tbmon.hosts.failing (shared/metrics.ts: what each evaluated
// batch adds, no dimension), which Application Insights pre-aggregates into its standard metrics namespace
// azure.applicationinsights (learn.microsoft.com/azure/azure-monitor/app/pre-aggregated-metrics-log-metrics, custom
// metrics). The metric exists only after the first evaluation, hence skipMetricValidation. Total over one sweep
// interval = the failing hosts of that sweep. Shape: learn.microsoft.com/azure/templates/microsoft.insights/metricalerts.
resource hostsFailing 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'tbmon-hosts-failing-${token}'
  location: 'global'
  tags: tags
  properties: {
    description: 'TensorBoard hosts failing a check (a cause of 502): see the status page and the tbmon fleet workbook.'
    severity: 2
    enabled: true
    scopes: [applicationInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT${sweepIntervalMinutes < 15 ? 15 : sweepIntervalMinutes}M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'hosts-failing'
          metricNamespace: 'azure.applicationinsights'
          metricName: 'tbmon.hosts.failing'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: hostsFailingThreshold
          skipMetricValidation: true
        }
      ]
    }
    autoMitigate: true
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// The availability test against GET /api/health (shared/health.ts): 503 when no sweep completed within twice the
// schedule or the last sweep failed, 200 otherwise (degraded too: poison messages have their own alert above). A
// standard test (learn.microsoft.com/azure/templates/microsoft.insights/webtests, 2022-06-15; the hidden-link tag ties
// it to Application Insights) from three regions every 5 minutes, sending the host's default key in the
// x-functions-key header: the key is read at deploy time (listKeys on the host) and lives only in the test's request,
// never in an output or an app setting. The metric alert fires when two of the three locations fail
// (WebtestLocationAvailabilityCriteria, learn.microsoft.com/azure/azure-monitor/alerts/alerts-metric-create-templates).
resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var healthTestName = 'tbmon-health-${token}'

resource healthTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: healthTestName
  location: location
  tags: union(tags, { 'hidden-link:${applicationInsightsId}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: healthTestName
    Name: 'tbmon health (GET /api/health)'
    Description: 'tbmon itself: a sweep completed within twice the schedule and the last sweep did not fail.'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [{ Id: 'us-va-ash-azr' }, { Id: 'emea-nl-ams-azr' }, { Id: 'apac-sg-sin-azr' }]
    Request: {
      RequestUrl: 'https://${site.properties.defaultHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
      Headers: [{ key: 'x-functions-key', value: listKeys('${site.id}/host/default', '2023-12-01').functionKeys.default }]
    }
    ValidationRules: { ExpectedHttpStatusCode: 200, SSLCheck: true, SSLCertRemainingLifetimeCheck: 7 }
  }
}

resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'tbmon-health-${token}'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /api/health answers 503: no sweep completed within twice the schedule, or the last sweep failed. The answer\'s "reasons" say which.'
    severity: 1
    enabled: true
    scopes: [healthTest.id, applicationInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: healthTest.id
      componentId: applicationInsightsId
      failedLocationCount: 2
    }
    autoMitigate: true
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

output actionGroupId string = actionGroup.id
