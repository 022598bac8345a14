// The real table schemas (research/domain-facts.md §c, from Microsoft's table reference). The validator checks the
// product's queries against them; the Log Analytics route types its columns with them.
import { typeFromName, type Column } from './values';

/** Columns every Log Analytics table has. */
const COMMON = '_BilledSize: real, _IsBillable: string, _ResourceId: string, _SubscriptionId: string, SourceSystem: string, TenantId: string, TimeGenerated: datetime, Type: string';

function strings(names: string): string {
  return names.split(/,\s*/).map((n) => `${n}: string`).join(', ');
}

/** Log Analytics tables as `(Column: type, …)`, the form the Kusto language service takes. */
export const LOG_ANALYTICS_SCHEMAS: Record<string, string> = {
  Syslog: `(${COMMON}, CollectorHostName: string, Computer: string, EventTime: datetime, Facility: string, HostIP: string, HostName: string, ProcessID: int, ProcessName: string, SeverityLevel: string, SyslogMessage: string)`,
  Perf: `(${COMMON}, BucketEndTime: datetime, BucketStartTime: datetime, Computer: string, CounterName: string, CounterPath: string, CounterValue: real, InstanceName: string, Max: real, Min: real, ObjectName: string, SampleCount: int, StandardDeviation: real)`,
  InsightsMetrics: `(${COMMON}, AgentId: string, Computer: string, Name: string, Namespace: string, Origin: string, Tags: string, Val: real, Value: string)`,
  Heartbeat: `(${COMMON}, Category: string, Computer: string, ComputerEnvironment: string, ComputerIP: string, ComputerPrivateIPs: dynamic, IsGatewayInstalled: bool, ManagementGroupName: string, OSMajorVersion: string, OSMinorVersion: string, OSName: string, OSType: string, RemoteIPCountry: string, RemoteIPLatitude: real, RemoteIPLongitude: real, Resource: string, ResourceGroup: string, ResourceId: string, ResourceProvider: string, ResourceType: string, SCAgentChannel: string, Solutions: string, SubscriptionId: string, Version: string, VMUUID: string)`,
  AzureMetrics: `(${COMMON}, Average: real, Count: real, Maximum: real, MetricName: string, Minimum: real, Resource: string, ResourceGroup: string, ResourceId: string, ResourceProvider: string, ResultType: string, SubscriptionId: string, TimeGrain: string, Total: real, UnitName: string)`,
  AmlComputeClusterEvent: `(${COMMON}, AllocationState: string, AllocationStateTransitionTime: datetime, ClusterErrorCodes: string, ClusterName: string, ClusterType: string, CoreCount: int, CreatedBy: string, CreationApiVersion: string, CurrentNodeCount: int, EventType: string, IdleNodeCount: int, InitialNodeCount: int, InternalOperationName: string, IsResizeGrow: string, LeavingNodeCount: int, MaximumNodeCount: int, MinimumNodeCount: int, NodeDeallocationOption: string, NodeIdleTimeSecondsBeforeScaleDown: int, Offer: string, OperationName: string, PreemptedNodeCount: string, PreparingNodeCount: int, ProvisioningState: string, Publisher: string, QuotaAllocated: string, QuotaUtilized: string, ResultSignature: string, RunningNodeCount: int, ScalingType: string, Sku: string, SubnetId: string, TargetNodeCount: int, UnusableNodeCount: int, Version: string, VmFamilyName: string, VmPriority: string, VmSize: string)`,
  AmlComputeJobEvent: `(${COMMON}, ${strings('ClusterId, ClusterName, ClusterResourceGroupName, CreationApiVersion, CustomerSubscriptionId, ErrorDetails, EventType, ExecutionState, ExperimentId, ExperimentName, InternalOperationName, JobErrorMessage, JobId, JobName, NodeId, OperationName, ProvisioningState, ResourceGroupName, ResultSignature, RunInContainer, TFParameterServerCount, TFWorkerCount, ToolType, WorkspaceName')})`,
  AmlComputeCpuGpuUtilization: `(${COMMON}, ${strings('CallerIpAddress, ClusterName, CorrelationId, DeviceId, DeviceType, DurationMs, Identity, Level, Location, MetricName, NodeId, OperationName, OperationVersion, ResultDescription, ResultSignature, ResultType, RunId, Utilization, WorkspaceId, WorkspaceName')})`,
  AmlComputeInstanceEvent: `(${COMMON}, AadTenantId: string, AmlComputeInstanceName: string, CorrelationId: string, Identity: dynamic, Level: string, OperationName: string, ResultType: string)`,
  AmlRunStatusChangedEvent: `(${COMMON}, ${strings('CallerIpAddress, CorrelationId, DurationMs, Identity, Level, Location, Message, OperationName, OperationVersion, ParentRunId, ResultDescription, ResultSignature, ResultType, RootRunId, RunId, Status, TriggeringUserName, WorkspaceId, WorkspaceName')})`,
  NTANetAnalytics: `(${COMMON}, FlowStatus: string, FlowDirection: string, FlowType: string, SrcIp: string, DestIp: string, SrcVm: string, DestVm: string, SrcNic: string, DestNic: string, DestPort: int, L4Protocol: string, NsgList: string, NsgRule: string, NsgRuleType: string, AclGroup: string, AclRule: string, AllowedInFlows: long, DeniedInFlows: long, AllowedOutFlows: long, DeniedOutFlows: long, SrcSubnet: string, DestSubnet: string, TargetResourceId: string, TargetResourceType: string, FlowStartTime: datetime, FlowEndTime: datetime, FlowIntervalStartTime: datetime, FlowIntervalEndTime: datetime)`,
};

/**
 * Application Insights tables as its own query API, workbooks and log alerts on the component see them (the classic
 * schema: learn.microsoft.com/azure/azure-monitor/app/data-model-complete and the tables reference for
 * requests, traces, customMetrics, exceptions). tbmon's app alerts (infra/app/alerts.bicep) and workbook query these.
 */
const AI_COMMON = 'operation_Name: string, operation_Id: string, operation_ParentId: string, operation_SyntheticSource: string, session_Id: string, user_Id: string, user_AuthenticatedId: string, user_AccountId: string, application_Version: string, client_Type: string, client_Model: string, client_OS: string, client_IP: string, client_City: string, client_StateOrProvince: string, client_CountryOrRegion: string, client_Browser: string, cloud_RoleName: string, cloud_RoleInstance: string, appId: string, appName: string, iKey: string, sdkVersion: string, itemId: string, itemType: string, itemCount: int';
export const APPLICATION_INSIGHTS_SCHEMAS: Record<string, string> = {
  requests: `(timestamp: datetime, id: string, source: string, name: string, url: string, success: bool, resultCode: string, duration: real, performanceBucket: string, customDimensions: dynamic, customMeasurements: dynamic, ${AI_COMMON})`,
  traces: `(timestamp: datetime, message: string, severityLevel: int, customDimensions: dynamic, customMeasurements: dynamic, ${AI_COMMON})`,
  customMetrics: `(timestamp: datetime, name: string, value: real, valueCount: int, valueSum: real, valueMin: real, valueMax: real, valueStdDev: real, customDimensions: dynamic, ${AI_COMMON})`,
  exceptions: `(timestamp: datetime, problemId: string, handledAt: string, type: string, message: string, assembly: string, method: string, outerType: string, outerMessage: string, outerAssembly: string, outerMethod: string, innermostType: string, innermostMessage: string, innermostAssembly: string, innermostMethod: string, severityLevel: int, details: dynamic, customDimensions: dynamic, customMeasurements: dynamic, ${AI_COMMON})`,
};

const ARG_COLUMNS = '(id: string, name: string, type: string, tenantId: string, kind: string, location: string, resourceGroup: string, subscriptionId: string, managedBy: string, sku: dynamic, plan: dynamic, properties: dynamic, tags: dynamic, identity: dynamic, zones: dynamic, extendedLocation: dynamic)';

/** Resource Graph's tables the sandbox serves (lower-case names; Graph matches table names case-insensitively). */
export const RESOURCE_GRAPH_SCHEMAS: Record<string, string> = {
  resources: ARG_COLUMNS,
  resourcecontainers: ARG_COLUMNS,
  // Graph's table reference (supported-tables-resources): `insightresources` holds
  // microsoft.insights/datacollectionruleassociations; the rules themselves are in `resources`.
  insightresources: ARG_COLUMNS,
};

/** The spelling Microsoft's docs give each Resource Graph table (the language service matches names case-sensitively). */
export const RESOURCE_GRAPH_TABLE_NAMES: Record<string, string> = {
  resources: 'Resources',
  resourcecontainers: 'ResourceContainers',
  insightresources: 'InsightResources',
};

/** Parses `(Name: type, …)` into columns. */
export function parseSchema(schema: string): Column[] {
  const body = schema.trim().replace(/^\(/, '').replace(/\)$/, '');
  if (body.trim() === '') return [];
  return body.split(',').map((part) => {
    const [name, type] = part.split(':').map((s) => s.trim());
    if (!name || !type) throw new Error(`Bad schema part '${part}' in ${schema}`);
    return { name: name.replace(/^\[['"]|['"]\]$/g, ''), type: typeFromName(type) };
  });
}

const parsed = new Map<string, Column[]>();

/** The columns of a known Log Analytics table, or undefined for a table without a schema here. */
export function logAnalyticsColumns(table: string): Column[] | undefined {
  const schema = LOG_ANALYTICS_SCHEMAS[table];
  if (!schema) return undefined;
  let cols = parsed.get(table);
  if (!cols) { cols = parseSchema(schema); parsed.set(table, cols); }
  return cols;
}

export function resourceGraphColumns(): Column[] {
  let cols = parsed.get('$arg');
  if (!cols) { cols = parseSchema(ARG_COLUMNS); parsed.set('$arg', cols); }
  return cols;
}
