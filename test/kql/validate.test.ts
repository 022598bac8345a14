// The schema validator: Kusto's own diagnostics for the product's queries against the real table schemas.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateKql } from '../../sandbox/kql/validate';
import { LOG_ANALYTICS_SCHEMAS, logAnalyticsColumns } from '../../sandbox/kql/schemas';

const codes = (query: string, target: 'logAnalytics' | 'resourceGraph', extraTables?: Record<string, string>) =>
  validateKql(query, target, { extraTables }).map((d) => d.code);

describe('validateKql', () => {
  it('flags an unknown table', () => {
    const [d] = validateKql('Syslogs | take 1', 'logAnalytics');
    assert.equal(d.severity, 'Error');
    assert.match(d.message, /Syslogs/);
    assert.deepEqual([d.start, d.length], [0, 7]);
  });

  it('flags an unknown column, with its position', () => {
    const q = "Syslog | where Message has 'tensorboard'";
    const [d] = validateKql(q, 'logAnalytics');
    assert.match(d.message, /'Message'/);
    assert.equal(q.substr(d.start, d.length), 'Message');
  });

  it('flags a type mismatch', () => {
    assert.ok(codes("Perf | where CounterValue > 'high'", 'logAnalytics').length > 0);
    // Utilization is a string column in AmlComputeCpuGpuUtilization: comparing it to a number needs todouble().
    assert.ok(codes('AmlComputeCpuGpuUtilization | where Utilization > 90', 'logAnalytics').length > 0);
    assert.deepEqual(codes('AmlComputeCpuGpuUtilization | where todouble(Utilization) > 90', 'logAnalytics'), []);
  });

  it('flags a syntax error', () => {
    assert.ok(codes('Syslog | summarize count() by', 'logAnalytics').length > 0);
  });

  it('accepts valid queries over every Log Analytics table', () => {
    const queries = [
      "Syslog | where TimeGenerated > ago(1h) and ProcessName =~ 'tensorboard' | summarize n = count(), lastSeen = max(TimeGenerated) by Computer, SeverityLevel",
      "Perf | where ObjectName == 'Memory' and CounterName == 'Available MBytes Memory' | summarize arg_max(TimeGenerated, CounterValue) by Computer",
      "InsightsMetrics | where Namespace == 'Memory' and Name == 'AvailableMB' | extend total = todouble(parse_json(Tags)['vm.azm.ms/memorySizeMB']) | project Computer, Val, total",
      'Heartbeat | summarize arg_max(TimeGenerated, *) by Computer | project Computer, TimeGenerated, ComputerPrivateIPs',
      "AzureMetrics | where MetricName in ('CpuUtilizationPercentage', 'Unusable Nodes') | summarize avg(Average) by ResourceId, bin(TimeGenerated, 5m)",
      "AmlComputeClusterEvent | where toint(PreemptedNodeCount) > 0 or UnusableNodeCount > 0 | project ClusterName, VmSize",
      "AmlComputeJobEvent | where EventType == 'JobFailed' | project JobName, JobErrorMessage",
      "AmlComputeInstanceEvent | where ResultType != 'Success' | project AmlComputeInstanceName, OperationName, Identity",
      "AmlRunStatusChangedEvent | where Status == 'Failed' | summarize count() by WorkspaceName",
      "NTANetAnalytics | where FlowStatus == 'D' and DestPort == 6006 | summarize denied = sum(DeniedInFlows) by DestIp, NsgRule",
      "union isfuzzy=true Syslog, Heartbeat | where TimeGenerated > ago(1d) | summarize count() by Type",
    ];
    for (const q of queries) assert.deepEqual(validateKql(q, 'logAnalytics'), [], q);
  });

  it('accepts valid Resource Graph queries, either spelling of the table names', () => {
    const queries = [
      `resources
       | where type =~ 'microsoft.machinelearningservices/workspaces/computes'
       | extend computeType = tostring(properties.computeType), vmSize = tostring(properties.properties.vmSize),
                subnetId = tostring(properties.properties.subnet.id), state = tostring(properties.properties.state)
       | where computeType in ('ComputeInstance', 'AmlCompute')
       | extend workspaceId = tostring(split(id, '/computes/')[0])
       | project id, name, workspaceId, subscriptionId, resourceGroup, location, tags, computeType, vmSize, subnetId, state
       | order by id asc`,
      "Resources | where type =~ 'microsoft.network/virtualnetworks' | mv-expand subnet = properties.subnets | project subnetId = tolower(tostring(subnet.id)), nsgId = tostring(subnet.properties.networkSecurityGroup.id)",
      "ResourceContainers | where type == 'microsoft.resources/subscriptions' | project subscriptionId, name, properties.managementGroupAncestorsChain",
    ];
    for (const q of queries) assert.deepEqual(validateKql(q, 'resourceGraph'), [], q);
    assert.ok(codes('resources | where bogus == 1', 'resourceGraph').length > 0);
    assert.ok(codes('Syslog | take 1', 'resourceGraph').length > 0, 'Log Analytics tables are not Resource Graph tables');
  });

  it('extra tables (custom *_CL tables) by schema string', () => {
    assert.ok(codes('TbProbe_CL | take 1', 'logAnalytics').length > 0);
    assert.deepEqual(codes('TbProbe_CL | where Port_d == 6006 and Ok | project Host_s', 'logAnalytics', { TbProbe_CL: '(TimeGenerated: datetime, Host_s: string, Port_d: long, Ok: bool)' }), []);
  });

  it('errors only by default; warnings on request', () => {
    const q = 'Syslog | where SyslogMessage contains "x"';
    assert.deepEqual(validateKql(q, 'logAnalytics'), []);
    for (const d of validateKql(q, 'logAnalytics', { includeWarnings: true })) assert.notEqual(d.severity, 'Error');
  });

  it('the schemas hold the tables the product queries, with the common columns', () => {
    for (const table of ['Syslog', 'Perf', 'InsightsMetrics', 'Heartbeat', 'AzureMetrics', 'AmlComputeClusterEvent', 'AmlComputeJobEvent', 'AmlComputeCpuGpuUtilization', 'AmlComputeInstanceEvent', 'AmlRunStatusChangedEvent', 'NTANetAnalytics']) {
      assert.ok(LOG_ANALYTICS_SCHEMAS[table], table);
      const cols = logAnalyticsColumns(table) ?? [];
      assert.ok(cols.some((c) => c.name === 'TimeGenerated' && c.type === 'datetime'), table);
      assert.ok(cols.some((c) => c.name === '_ResourceId' && c.type === 'string'), table);
    }
    assert.equal(logAnalyticsColumns('AmlComputeClusterEvent')?.find((c) => c.name === 'QuotaUtilized')?.type, 'string');
    assert.equal(logAnalyticsColumns('Heartbeat')?.find((c) => c.name === 'IsGatewayInstalled')?.type, 'bool');
  });
});
