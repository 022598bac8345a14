// Every setting tbmon reads, parsed and validated once (DESIGN.md § Settings). A bad or missing setting is reported
// by name, all problems at once, before anything runs. This file is the only place that reads process.env for
// product settings; the deploy consistency test checks SETTING_NAMES against local.settings.sample.json, Bicep and
// the README.
import { CronExpressionParser } from 'cron-parser';
import { canonicalId } from './model';

export type Scope =
  | { kind: 'all' }
  | { kind: 'subscriptions'; subscriptionIds: string[] }
  | { kind: 'managementGroup'; managementGroupId: string };

export type StorageSettings =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; queueServiceUri: string; tableServiceUri: string; clientId: string | null };

export interface Settings {
  scope: Scope;
  sweepSchedule: string;
  hostTag: string;
  ownerTags: string[];
  defaultLogAnalyticsWorkspaceId: string | null;
  /** ISO 8601 duration as configured (sent to Log Analytics as the query timespan). */
  lookback: string;
  lookbackMs: number;
  /** TBMON_JOB_HORIZON: how far back the ML workspace job list is paged for active TensorBoard job services. */
  jobHorizon: string;
  jobHorizonMs: number;
  alertEmailFrom: string | null;
  alertFallbackTo: string[];
  acsEndpoint: string | null;
  acsConnectionString: string | null;
  teamsWebhookUrl: string | null;
  armEndpoint: string;
  logAnalyticsEndpoint: string;
  authorityHost: string | null;
  clientSources: string[];
  minVcpus: number;
  minMemoryGb: number;
  launchLogTable: string;
  launchLogTag: string;
  historyDays: number;
  alertMinStatus: 'fail' | 'warn';
  alertOnFirstSight: boolean;
  /** Send the failing checks an upgrade added on hosts already known (default: record them as the baseline). */
  alertNewChecks: boolean;
  dataGapSweeps: number;
  emailPerMinute: number;
  emailPerHour: number;
  diskFailPct: number;
  diskWarnPct: number;
  memoryWarnPct: number;
  cpuWarnPct: number;
  /**
   * The status page's public URL (TBMON_STATUS_URL; default https://$WEBSITE_HOSTNAME/api/status): the base of every
   * link to a host's section in emails and cards. Never carries a key. null when neither is set (no links).
   */
  statusUrl: string | null;
  /** Queues and tables; null where the caller needs none (CLI scan/check/hosts). */
  storage: StorageSettings | null;
  /** Where sweep metrics go (Application Insights); null: no metrics are exported. */
  appInsightsConnectionString: string | null;
  /**
   * Secret-backed settings whose Key Vault reference the platform has not resolved (the app sees the literal
   * `@Microsoft.KeyVault(...)` text). Such a setting reads as unset; only what needs it waits (see
   * unresolvedKeyVaultReference), so an unresolved Teams webhook does not stop the sweep, evaluate or email.
   */
  unresolvedSecrets: UnresolvedSecret[];
}

/** Settings that hold secrets and, as deployed, are Key Vault references (infra/app/resources.bicep). */
export const SECRET_SETTINGS = ['TEAMS_WEBHOOK_URL', 'ACS_CONNECTION_STRING'] as const;
export type SecretSettingName = (typeof SECRET_SETTINGS)[number];

export interface UnresolvedSecret {
  setting: SecretSettingName;
  /** What broke and the fix, for logs, the sweep's errors and the status page. Never the value. */
  message: string;
}

/** Product settings (app settings / environment), in DESIGN.md's order. Platform settings are not listed here. */
export const SETTING_NAMES = [
  'TBMON_SCOPE',
  'TBMON_SWEEP_SCHEDULE',
  'TBMON_HOST_TAG',
  'TBMON_OWNER_TAGS',
  'TBMON_LOG_ANALYTICS_WORKSPACE_ID',
  'TBMON_LOOKBACK',
  'TBMON_JOB_HORIZON',
  'TBMON_ALERT_EMAIL_FROM',
  'TBMON_ALERT_FALLBACK_TO',
  'ACS_ENDPOINT',
  'ACS_CONNECTION_STRING',
  'TEAMS_WEBHOOK_URL',
  'AZURE_RESOURCE_MANAGER_ENDPOINT',
  'AZURE_LOG_ANALYTICS_ENDPOINT',
  'AZURE_AUTHORITY_HOST',
  'TBMON_CLIENT_SOURCES',
  'TBMON_MIN_VCPUS',
  'TBMON_MIN_MEMORY_GB',
  'TBMON_LAUNCH_LOG_TABLE',
  'TBMON_LAUNCH_LOG_TAG',
  'TBMON_HISTORY_DAYS',
  'TBMON_ALERT_MIN_STATUS',
  'TBMON_ALERT_ON_FIRST_SIGHT',
  'TBMON_ALERT_NEW_CHECKS',
  'TBMON_DATA_GAP_SWEEPS',
  'TBMON_EMAIL_PER_MINUTE',
  'TBMON_EMAIL_PER_HOUR',
  'TBMON_DISK_FAIL_PCT',
  'TBMON_DISK_WARN_PCT',
  'TBMON_MEMORY_WARN_PCT',
  'TBMON_CPU_WARN_PCT',
  'TBMON_STATUS_URL',
  'AzureWebJobsStorage',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** TBMON_* variables of the tooling around the product (dev host, sandbox, tests, deployment): known, not settings. */
export const TOOLING_VARIABLES = [
  'TBMON_SANDBOX_TLS_KEY', 'TBMON_SANDBOX_TLS_CERT', 'TBMON_DEVHOST_PORT', 'TBMON_DEVHOST_KEY', 'TBMON_TEST_STORAGE',
  'TBMON_IDENTITY_PRINCIPAL_ID', 'TBMON_IDENTITY_CLIENT_ID', 'TBMON_DEPLOY_EMAIL',
] as const;

/** Optimal string alignment distance (Levenshtein with adjacent transpositions), for "did you mean". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * A warning per TBMON_* variable that is no tbmon setting (a typo such as TBMON_SCOPES is otherwise silently
 * ignored), with the nearest known name. Case-insensitive: tbmon_scope is TBMON_SCOPE misspelt.
 */
export function unknownSettingWarnings(env: Record<string, string | undefined>): string[] {
  const known = new Set<string>([...SETTING_NAMES, ...TOOLING_VARIABLES]);
  const candidates = SETTING_NAMES.filter((n) => n.startsWith('TBMON_'));
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!/^tbmon_/i.test(name) || known.has(name)) continue;
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const c of candidates) {
      const dist = editDistance(name.toUpperCase(), c);
      if (dist < bestDistance) [best, bestDistance] = [c, dist];
    }
    const near = best !== null && bestDistance <= Math.max(3, Math.floor(best.length / 4));
    out.push(`${name} is not a tbmon setting and is ignored${near ? ` — did you mean ${best}?` : ' (the settings are listed in README.md, "Settings")'}`);
  }
  return out;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`these settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@<>(),;:"[\]\u0000-\u001f\u007f-\u009f]+@[^\s@<>(),;:"[\]\u0000-\u001f\u007f-\u009f]+\.[^\s@<>(),;:"[\]\u0000-\u001f\u007f-\u009f]+$/;
const MG_ID = /^[A-Za-z0-9._()-]{1,90}$/;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const TAG_KEY = /^[^<>%&\\?/]{1,512}$/;

export function isGuid(s: string): boolean {
  return GUID.test(s);
}
export function isEmailAddress(s: string): boolean {
  return EMAIL.test(s) && s.length <= 254;
}

/** ISO 8601 duration (PnDTnHnMnS, weeks too) → milliseconds; null when it is not one. */
export function parseIsoDuration(s: string): number | null {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) return null;
  const [, w, d, h, min, sec] = m;
  return ((((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60 + Number(sec ?? 0)) * 1000;
}

export function parseScope(raw: string): Scope | string {
  const v = raw.trim();
  if (v === '' || v.toLowerCase() === 'all') return { kind: 'all' };
  const idx = v.indexOf(':');
  const kind = idx < 0 ? v : v.slice(0, idx);
  const rest = idx < 0 ? '' : v.slice(idx + 1).trim();
  if (kind.toLowerCase() === 'subscriptions') {
    const ids = rest.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = ids.filter((id) => !GUID.test(id));
    if (ids.length === 0) return 'lists no subscription id';
    if (bad.length) return `has subscription ids that are not GUIDs: ${bad.map((b) => JSON.stringify(b)).join(', ')}`;
    return { kind: 'subscriptions', subscriptionIds: [...new Set(ids.map(canonicalId))] };
  }
  if (kind.toLowerCase() === 'managementgroup') {
    if (!MG_ID.test(rest)) return `has a management group id that is not valid: ${JSON.stringify(rest)}`;
    return { kind: 'managementGroup', managementGroupId: rest };
  }
  return `is not one of the accepted forms`;
}

const SCOPE_FORMS = 'accepted: "all", "subscriptions:<guid>,<guid>", "managementGroup:<id>"';

type Env = Record<string, string | undefined>;

const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

/**
 * The problem of a secret-backed setting that still holds its `@Microsoft.KeyVault(...)` reference: App Service
 * passes the reference text through when it cannot resolve it (the identity lacks Key Vault Secrets User, the role has
 * not propagated yet, the secret or vault is missing) and retries only every 24 hours, or on the refresh call
 * (learn.microsoft.com/azure/app-service/app-service-key-vault-references, "Rotation": POST
 * <app resource id>/config/configreferences/appsettings/refresh). The message names the setting and that call, with
 * the app's own names when the platform provides them (WEBSITE_SITE_NAME, WEBSITE_RESOURCE_GROUP, WEBSITE_OWNER_NAME).
 */
export function unresolvedKeyVaultReference(setting: SecretSettingName, env: Env): UnresolvedSecret {
  const site = env.WEBSITE_SITE_NAME?.trim() || '<function-app>';
  const group = env.WEBSITE_RESOURCE_GROUP?.trim() || '<resource-group>';
  // WEBSITE_OWNER_NAME is "<subscription id>+<webspace>" on App Service.
  const subscription = /^([0-9a-f-]{36})\+/i.exec(env.WEBSITE_OWNER_NAME?.trim() ?? '')?.[1] ?? '<subscription-id>';
  const waits = setting === 'TEAMS_WEBHOOK_URL' ? 'Teams cards wait in the outbox' : 'email waits in the outbox';
  return {
    setting,
    message: `${setting} is an unresolved Key Vault reference (the app sees the literal @Microsoft.KeyVault(...) text): ${waits}; `
      + 'the sweep, evaluations and the other channel carry on. Check that the app\'s identity has Key Vault Secrets User on the vault '
      + 'and the secret exists (the portal\'s Environment variables blade shows the reference\'s status), then make the platform resolve it now: '
      + `az rest --method post --url "/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.Web/sites/${site}/config/configreferences/appsettings/refresh?api-version=2022-03-01"`,
  };
}

export interface LoadOptions {
  /** Require queue/table storage (the Functions app); the CLI does not. */
  requireStorage?: boolean;
}

export function loadSettings(env: Env = process.env, options: LoadOptions = {}): Settings {
  const problems: string[] = [];
  const get = (name: SettingName): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const str = (name: SettingName, def: string, re?: RegExp, what?: string): string => {
    const v = get(name) ?? def;
    if (re && !re.test(v)) problems.push(`${name}=${JSON.stringify(v)} is not ${what ?? 'valid'}`);
    return v;
  };
  const num = (name: SettingName, def: number, min: number, max: number, integer = true): number => {
    const raw = get(name);
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  const bool = (name: SettingName, def: boolean): boolean => {
    const raw = get(name);
    if (raw === undefined) return def;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return def;
  };
  const list = (name: SettingName, def: string[]): string[] => {
    const raw = get(name);
    if (raw === undefined) return def;
    return raw.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  };
  const url = (name: SettingName, def: string | null): string | null => {
    const raw = get(name);
    if (raw === undefined) return def;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'https:') problems.push(`${name} must be an https URL`);
      return raw.replace(/\/+$/, '');
    } catch {
      problems.push(`${name} is not a URL`); // the value may be a secret: never echo it
      return def;
    }
  };

  const scopeRaw = get('TBMON_SCOPE') ?? 'all';
  const parsedScope = parseScope(scopeRaw);
  let scope: Scope = { kind: 'all' };
  if (typeof parsedScope === 'string') problems.push(`TBMON_SCOPE=${JSON.stringify(scopeRaw)} ${parsedScope} (${SCOPE_FORMS})`);
  else scope = parsedScope;

  const sweepSchedule = get('TBMON_SWEEP_SCHEDULE') ?? '0 */15 * * * *';
  if (sweepSchedule.split(/\s+/).length !== 6) {
    problems.push(`TBMON_SWEEP_SCHEDULE=${JSON.stringify(sweepSchedule)} must be an NCRONTAB expression with 6 fields (second minute hour day month weekday)`);
  } else {
    try {
      CronExpressionParser.parse(sweepSchedule, { tz: 'UTC' });
    } catch (e) {
      problems.push(`TBMON_SWEEP_SCHEDULE=${JSON.stringify(sweepSchedule)} is not a valid NCRONTAB expression: ${(e as Error).message}`);
    }
  }

  const hostTag = str('TBMON_HOST_TAG', 'tensorboard', TAG_KEY, 'a valid tag key');
  const ownerTags = list('TBMON_OWNER_TAGS', ['tensorboard-owner', 'owner']);
  if (ownerTags.length === 0) problems.push('TBMON_OWNER_TAGS lists no tag key');

  const la = get('TBMON_LOG_ANALYTICS_WORKSPACE_ID') ?? null;
  if (la !== null && !GUID.test(la)) problems.push(`TBMON_LOG_ANALYTICS_WORKSPACE_ID=${JSON.stringify(la)} must be a workspace customer id (a GUID)`);

  const lookback = get('TBMON_LOOKBACK') ?? 'PT1H';
  const lookbackMs = parseIsoDuration(lookback);
  if (lookbackMs === null || lookbackMs < 60_000 || lookbackMs > 30 * 86_400_000) {
    problems.push(`TBMON_LOOKBACK=${JSON.stringify(lookback)} must be an ISO 8601 duration from PT1M to P30D (e.g. PT1H)`);
  }
  const jobHorizon = get('TBMON_JOB_HORIZON') ?? 'P7D';
  const jobHorizonMs = parseIsoDuration(jobHorizon);
  if (jobHorizonMs === null || jobHorizonMs < 3_600_000 || jobHorizonMs > 90 * 86_400_000) {
    problems.push(`TBMON_JOB_HORIZON=${JSON.stringify(jobHorizon)} must be an ISO 8601 duration from PT1H to P90D (e.g. P7D)`);
  }

  const alertEmailFrom = get('TBMON_ALERT_EMAIL_FROM') ?? null;
  if (alertEmailFrom !== null && !isEmailAddress(alertEmailFrom)) problems.push(`TBMON_ALERT_EMAIL_FROM=${JSON.stringify(alertEmailFrom)} is not an email address`);
  const alertFallbackTo = list('TBMON_ALERT_FALLBACK_TO', []);
  const badTo = alertFallbackTo.filter((a) => !isEmailAddress(a));
  if (badTo.length) problems.push(`TBMON_ALERT_FALLBACK_TO has entries that are not email addresses: ${badTo.map((b) => JSON.stringify(b)).join(', ')}`);

  const unresolvedSecrets: UnresolvedSecret[] = [];
  /** A secret-backed setting; its unresolved Key Vault reference reads as unset and is reported on its own. */
  const secret = (name: SecretSettingName): string | null => {
    const v = get(name) ?? null;
    if (v === null || !KEY_VAULT_REFERENCE.test(v)) return v;
    unresolvedSecrets.push(unresolvedKeyVaultReference(name, env));
    return null;
  };

  const acsEndpoint = url('ACS_ENDPOINT', null);
  const acsConnectionString = secret('ACS_CONNECTION_STRING');
  if (acsConnectionString !== null) {
    const m = /^endpoint=([^;]+);accesskey=[^;]+;?$/i.exec(acsConnectionString);
    if (!m) problems.push('ACS_CONNECTION_STRING must look like "endpoint=https://…;accesskey=…" (value not shown: it is a secret)');
    // The SDK would take an http endpoint (the email content in clear) and refuse one with a path only when sending.
    else if (!isHttpsOrigin(m[1])) problems.push('ACS_CONNECTION_STRING: its endpoint must be an https URL with no path, e.g. endpoint=https://<resource>.communication.azure.com/ (value not shown: it is a secret)');
  }
  const teamsRaw = secret('TEAMS_WEBHOOK_URL');
  let teamsWebhookUrl: string | null = null;
  if (teamsRaw !== null) {
    try {
      const u = new URL(teamsRaw);
      if (u.protocol !== 'https:') problems.push('TEAMS_WEBHOOK_URL must be an https URL (value not shown: it is a secret)');
      teamsWebhookUrl = teamsRaw;
    } catch {
      problems.push('TEAMS_WEBHOOK_URL is not a URL (value not shown: it is a secret)');
    }
  }

  const armEndpoint = url('AZURE_RESOURCE_MANAGER_ENDPOINT', 'https://management.azure.com') as string;
  const logAnalyticsEndpoint = url('AZURE_LOG_ANALYTICS_ENDPOINT', 'https://api.loganalytics.io/v1') as string;
  const authorityHost = url('AZURE_AUTHORITY_HOST', null);

  const clientSources = list('TBMON_CLIENT_SOURCES', ['VirtualNetwork']);
  const badSources = clientSources.filter((s) => !/^[A-Za-z][A-Za-z0-9.]*$/.test(s) && !isCidr(s));
  if (clientSources.length === 0) problems.push('TBMON_CLIENT_SOURCES lists no source');
  if (badSources.length) problems.push(`TBMON_CLIENT_SOURCES has entries that are neither service tags nor CIDRs: ${badSources.map((b) => JSON.stringify(b)).join(', ')}`);

  const minVcpus = num('TBMON_MIN_VCPUS', 2, 1, 1024);
  const minMemoryGb = num('TBMON_MIN_MEMORY_GB', 8, 1, 65536, false);
  const launchLogTable = str('TBMON_LAUNCH_LOG_TABLE', 'Syslog', TABLE, 'a Log Analytics table name');
  const launchLogTag = str('TBMON_LAUNCH_LOG_TAG', 'tensorboard', /^[A-Za-z0-9._/-]{1,48}$/, 'a syslog tag (letters, digits, . _ / -)');
  const historyDays = num('TBMON_HISTORY_DAYS', 30, 1, 3650);
  const minStatus = (get('TBMON_ALERT_MIN_STATUS') ?? 'fail').toLowerCase();
  if (minStatus !== 'fail' && minStatus !== 'warn') problems.push(`TBMON_ALERT_MIN_STATUS=${JSON.stringify(minStatus)} must be "fail" or "warn"`);
  const alertOnFirstSight = bool('TBMON_ALERT_ON_FIRST_SIGHT', true);
  const alertNewChecks = bool('TBMON_ALERT_NEW_CHECKS', false);
  const dataGapSweeps = num('TBMON_DATA_GAP_SWEEPS', 4, 1, 1000);
  const emailPerMinute = num('TBMON_EMAIL_PER_MINUTE', 30, 1, 10000);
  const emailPerHour = num('TBMON_EMAIL_PER_HOUR', 100, 1, 1000000);
  const diskFailPct = num('TBMON_DISK_FAIL_PCT', 10, 0, 100, false);
  const diskWarnPct = num('TBMON_DISK_WARN_PCT', 20, 0, 100, false);
  if (diskWarnPct < diskFailPct) problems.push(`TBMON_DISK_WARN_PCT (${diskWarnPct}) must not be below TBMON_DISK_FAIL_PCT (${diskFailPct})`);
  const memoryWarnPct = num('TBMON_MEMORY_WARN_PCT', 10, 0, 100, false);
  const cpuWarnPct = num('TBMON_CPU_WARN_PCT', 90, 0, 100, false);

  const statusUrl = readStatusUrl(get('TBMON_STATUS_URL'), env.WEBSITE_HOSTNAME?.trim(), problems);

  const storage = readStorage(env, problems, options.requireStorage === true);

  // The component's connection string (InstrumentationKey=<guid>;IngestionEndpoint=https://…); the deployed app sends
  // with its managed identity, the key alone is refused (local authentication is disabled on the component).
  const appInsightsConnectionString = get('APPLICATIONINSIGHTS_CONNECTION_STRING') ?? null;
  if (appInsightsConnectionString !== null) {
    const parts = new Map(appInsightsConnectionString.split(';').map((kv) => kv.split('=')).filter((kv) => kv.length >= 2).map(([k, ...v]) => [k.trim().toLowerCase(), v.join('=').trim()]));
    const ikey = parts.get('instrumentationkey') ?? '';
    const ingestion = parts.get('ingestionendpoint');
    if (!GUID.test(ikey)) problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING must hold InstrumentationKey=<guid> (the component\'s connection string; value not shown)');
    else if (ingestion !== undefined && !isHttpsUrl(ingestion)) problems.push('APPLICATIONINSIGHTS_CONNECTION_STRING: IngestionEndpoint must be an https URL (value not shown)');
  }

  if (problems.length) throw new ConfigError(problems);
  return {
    scope, sweepSchedule, hostTag, ownerTags, defaultLogAnalyticsWorkspaceId: la ? canonicalId(la) : null,
    lookback, lookbackMs: lookbackMs as number, jobHorizon, jobHorizonMs: jobHorizonMs as number, alertEmailFrom, alertFallbackTo, acsEndpoint, acsConnectionString,
    teamsWebhookUrl, armEndpoint, logAnalyticsEndpoint, authorityHost, clientSources, minVcpus, minMemoryGb,
    launchLogTable, launchLogTag, historyDays, alertMinStatus: minStatus as 'fail' | 'warn', alertOnFirstSight, alertNewChecks,
    dataGapSweeps, emailPerMinute, emailPerHour, diskFailPct, diskWarnPct, memoryWarnPct, cpuWarnPct, statusUrl, storage,
    unresolvedSecrets, appInsightsConnectionString,
  };
}

/**
 * TBMON_STATUS_URL: an https URL (http only on loopback, for a local dev host) without query, fragment or key — it is
 * put in emails and cards, so it must never carry a function key. Default: the Function App's own host name
 * (WEBSITE_HOSTNAME, set by App Service) + /api/status.
 */
function readStatusUrl(raw: string | undefined, websiteHostname: string | undefined, problems: string[]): string | null {
  if (raw === undefined) return websiteHostname && /^[A-Za-z0-9.-]+(:\d+)?$/.test(websiteHostname) ? `https://${websiteHostname.toLowerCase()}/api/status` : null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    problems.push(`TBMON_STATUS_URL=${JSON.stringify(raw)} is not a URL (e.g. https://func-tbmon.azurewebsites.net/api/status)`);
    return null;
  }
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i.test(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) problems.push('TBMON_STATUS_URL must be an https URL (http only for localhost)');
  else if (u.search || u.hash || u.username || u.password) problems.push('TBMON_STATUS_URL must have no query, fragment or credentials: links must never carry a key (App Service Authentication protects the page)');
  else return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  return null;
}

export const STORAGE_MISSING = 'AzureWebJobsStorage is missing: set a connection string, or AzureWebJobsStorage__accountName (or __queueServiceUri and __tableServiceUri) for a managed identity';

function readStorage(env: Env, problems: string[], required: boolean): StorageSettings | null {
  const cs = env.AzureWebJobsStorage?.trim();
  if (cs) {
    if (cs === 'UseDevelopmentStorage=true' || /AccountName=|QueueEndpoint=|BlobEndpoint=/i.test(cs)) return { kind: 'connectionString', connectionString: cs };
    problems.push('AzureWebJobsStorage is not a storage connection string (value not shown: it is a secret)');
    return null;
  }
  const account = env.AzureWebJobsStorage__accountName?.trim();
  // The managed identity's storage token goes to these hosts: a storage account name, https URLs, nothing else.
  if (account && !/^[a-z0-9]{3,24}$/.test(account)) problems.push(`AzureWebJobsStorage__accountName=${JSON.stringify(account)} is not a storage account name (3-24 lower-case letters and digits)`);
  const explicitUri = (name: 'AzureWebJobsStorage__queueServiceUri' | 'AzureWebJobsStorage__tableServiceUri'): string => {
    const raw = env[name]?.trim() ?? '';
    if (raw && !isHttpsUrl(raw)) problems.push(`${name}=${JSON.stringify(raw)} must be an https URL`);
    return raw;
  };
  const queueUri = explicitUri('AzureWebJobsStorage__queueServiceUri') || (account ? `https://${account}.queue.core.windows.net` : '');
  const tableUri = explicitUri('AzureWebJobsStorage__tableServiceUri') || (account ? `https://${account}.table.core.windows.net` : '');
  if (queueUri && tableUri) return { kind: 'identity', queueServiceUri: queueUri, tableServiceUri: tableUri, clientId: env.AzureWebJobsStorage__clientId?.trim() || null };
  if (required) problems.push(STORAGE_MISSING);
  return null;
}

function isHttpsUrl(s: string): boolean {
  try {
    return new URL(s).protocol === 'https:';
  } catch {
    return false;
  }
}

function isHttpsOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && (u.pathname === '' || u.pathname === '/') && !u.search && !u.hash;
  } catch {
    return false;
  }
}

export function isCidr(s: string): boolean {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (m) {
    const parts = m[1].split('.');
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) && Number(m[2]) <= 32;
  }
  const m6 = /^([0-9a-f:]+)\/(\d{1,3})$/i.exec(s);
  return !!m6 && m6[1].includes(':') && Number(m6[2]) <= 128;
}
