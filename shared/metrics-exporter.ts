// The MetricsSink that sends tbmon's metrics to Application Insights: OpenTelemetry's metrics SDK with the Azure
// Monitor metric exporter (@azure/monitor-opentelemetry-exporter — the exporter the Azure Monitor OpenTelemetry
// distro itself uses, without the distro's auto-instrumentation, trace and log pipelines: the Functions host already
// records requests and traces, and tbmon needs a meter only).
//
// Both packages are required on the first export, not when this module loads: importing a function module stays as
// cheap as before (cold start), and a process without APPLICATIONINSIGHTS_CONNECTION_STRING never loads them.
// Authentication as deployed: the managed identity's token (Monitoring Metrics Publisher on the component; the
// component has local authentication disabled, so the instrumentation key alone is refused).
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { MetricPoint, MetricsSink } from './metrics';
import { METRICS } from './metrics';

export interface AzureMonitorMetricsOptions {
  connectionString: string;
  credential?: TokenCredential;
  /** The sandbox's CA (tests, demo); Azure needs none. */
  caCert?: string;
  /**
   * Offline (the sandbox): no Statsbeat (the SDK's own telemetry, which probes the Azure instance metadata endpoint
   * 169.254.169.254) and no OneSettings polling (the exporter's remote configuration), so nothing leaves loopback.
   */
  offline?: boolean;
  log?: (line: string) => void;
}

/** The exporter reads this when it is constructed; set, it turns Statsbeat (and its IMDS probe) off. */
const STATSBEAT_OFF = 'APPLICATION_INSIGHTS_NO_STATSBEAT';

interface Loaded {
  flush(): Promise<void>;
  add(point: MetricPoint): void;
}

function load(opts: AzureMonitorMetricsOptions): Loaded {
  if (opts.offline) process.env[STATSBEAT_OFF] = 'true';
  const { AzureMonitorMetricExporter } = require('@azure/monitor-opentelemetry-exporter') as typeof import('@azure/monitor-opentelemetry-exporter');
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const exporter = new AzureMonitorMetricExporter({
    connectionString: opts.connectionString,
    credential: opts.credential,
    // Points are exported right after each run; one that fails is logged, not kept on the instance's disk.
    disableOfflineStorage: true,
    ...(opts.caCert ? { tlsOptions: { ca: opts.caCert } } : {}),
  } as ConstructorParameters<typeof AzureMonitorMetricExporter>[0]);
  if (opts.offline) {
    // Every exporter starts polling OneSettings (settings.sdk.monitor.azure.com) 5-15 s after construction
    // (export/base.js → _configuration/configurationManager.js, no setting turns it off). The manager is a process-wide
    // singleton that the package does not export; its own module, required by path (the package pins it: 1.0.0-beta.47),
    // is the same instance, and shutdown() is its documented way to stop the worker.
    const main = require.resolve('@azure/monitor-opentelemetry-exporter');
    const { ConfigurationManager } = require(path.join(path.dirname(main), '_configuration', 'configurationManager.js')) as { ConfigurationManager: { getInstance(): { shutdown(): void } } };
    ConfigurationManager.getInstance().shutdown();
  }
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, exportTimeoutMillis: 30_000 });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('tbmon');
  const counters = new Map<string, { add(v: number, a?: Record<string, string>): void }>();
  const histograms = new Map<string, { record(v: number, a?: Record<string, string>): void }>();
  return {
    add(p) {
      const meta = METRICS[p.name];
      if (p.kind === 'histogram') {
        let h = histograms.get(p.name);
        if (!h) histograms.set(p.name, (h = meter.createHistogram(p.name, { unit: meta.unit, description: meta.description })));
        h.record(p.value, p.dimensions);
      } else {
        let c = counters.get(p.name);
        if (!c) counters.set(p.name, (c = meter.createCounter(p.name, { unit: meta.unit, description: meta.description })));
        c.add(p.value, p.dimensions);
      }
    },
    flush: () => provider.forceFlush(),
  };
}

/** Metrics to Application Insights; the SDK is loaded on the first export. */
export function azureMonitorMetrics(opts: AzureMonitorMetricsOptions): MetricsSink {
  let loaded: Loaded | undefined;
  return {
    async export(points, log) {
      try {
        loaded ??= load(opts);
        for (const p of points) loaded.add(p);
        await loaded.flush();
      } catch (e) {
        // Telemetry must never fail a sweep or an evaluation; the connection string is never part of the message.
        (log ?? opts.log)?.(`metrics: export to Application Insights failed: ${(e as Error).message}`);
      }
    },
  };
}
