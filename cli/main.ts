// `tbmon scan | check | hosts | coverage | demo` — the same pipeline as the Functions app, in one process, for laptops
// (az login), CI jobs and cron. Read-only: on-demand runs never write history and never alert (DESIGN.md § Running it).
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadSettings, parseScope, unknownSettingWarnings, type Scope, type Settings } from '../shared/config';
import type { AzureContext } from '../shared/azure';
import { RequestError } from '../shared/discovery/errors';
import { discoverInBatches, type DiscoveryProgress } from '../shared/discovery/discover';
import { listHostsCommand } from '../shared/discovery/hosts-command';
import { evaluateHosts } from '../shared/evaluate';
import { emptyRequestCounts, type HostReport, type Report, type RunError } from '../shared/model';
import type { HostQuery } from '../shared/host-query';
import { checkHostNow, parseOrThrow } from '../shared/ondemand';
import { htmlReportWriter, jsonReportWriter, ndjsonReportWriter, tableReportWriter, type ReportWriter } from '../shared/report/stream';
import { renderCoverageTable } from '../shared/report/coverage';
import { CoverageAccumulator } from '../shared/coverage/fleet';
import { countsWords, coverageWrap, terminalWidth } from '../shared/report/table';
import { launcherScript } from '../shared/launcher';
import { appFromSettings } from '../shared/app';
import { sandboxEndpointFromFiles, type SandboxEndpoint } from '../shared/runtime';
import { parseArgs, USAGE, UsageError, type CliArgs, type Format } from './args';

export const EXIT = { ok: 0, failing: 1, usage: 2, incomplete: 3 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** The terminal's width when stdout is one. */
  columns?: number;
  env: Record<string, string | undefined>;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  env: process.env,
};

interface Runtime {
  azure: AzureContext;
  settings: Settings;
  now?: Date;
  close: () => Promise<void>;
}

/** Why a file named by a flag could not be read, in a few words (the code, not a stack). */
function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
}

/** Azure clients for this run: an in-process sandbox, a running sandbox, or Azure itself. Errors name the flag. */
async function openRuntime(args: CliArgs, settings: Settings, env: CliIo['env']): Promise<Runtime> {
  if (args.sandbox) {
    // The sandbox is a development tool (devDependencies); load it only when asked for.
    const { readTenantFile, TenantError } = require('../sandbox/tenant') as typeof import('../sandbox/tenant');
    const { startSandbox } = require('../sandbox/server') as typeof import('../sandbox/server');
    let tenant;
    try {
      tenant = readTenantFile(args.sandbox);
    } catch (e) {
      if (!(e instanceof TenantError)) throw e;
      const problem = e.message.slice(e.source.length + 2).replace(/^\$ /, '');
      const code = /\b(ENOENT|EACCES|EISDIR)\b/.exec(problem)?.[1];
      throw new UsageError(`--sandbox ${args.sandbox}: ${code && problem.startsWith('cannot be read') ? `cannot be read (${unreadable({ code })})` : problem}`);
    }
    const sandbox = await startSandbox({ tenant });
    const endpoint: SandboxEndpoint = { baseUrl: sandbox.baseUrl, caCert: sandbox.caCert };
    const app = appFromSettings(settings, env, { sandbox: endpoint });
    return { azure: app.azure, settings: app.settings, now: new Date(tenant.now), close: () => sandbox.close() };
  }
  if (args.sandboxUrl && args.sandboxCa) {
    let endpoint: SandboxEndpoint;
    try {
      endpoint = sandboxEndpointFromFiles(args.sandboxUrl, args.sandboxCa);
    } catch (e) {
      throw new UsageError(`--sandbox-ca ${args.sandboxCa}: cannot be read (${unreadable(e)})`);
    }
    const app = appFromSettings(settings, env, { sandbox: endpoint });
    let tenant: { now?: string } | undefined;
    try {
      tenant = await app.azure.armGet<{ now?: string }>(`${endpoint.baseUrl.replace(/\/+$/, '')}/_sandbox/clock`);
    } catch (e) {
      const why = String((e as { code?: string })?.code ?? (e as Error).message);
      const tls = /CERT|SELF_SIGNED|self-signed|certificate/i.test(`${why} ${(e as Error).message}`);
      throw new UsageError(tls
        ? `--sandbox-ca ${args.sandboxCa} is not the certificate of the sandbox at --sandbox-url ${args.sandboxUrl} (${(e as Error).message.split('\n')[0]})`
        : `--sandbox-url ${args.sandboxUrl}: no sandbox answered (${why.split('\n')[0]}); start one with npm run sandbox -- TENANT.json`);
    }
    return { azure: app.azure, settings: app.settings, now: tenant?.now ? new Date(tenant.now) : undefined, close: async () => {} };
  }
  const app = appFromSettings(settings, env);
  return { azure: app.azure, settings: app.settings, close: async () => {} };
}

/** The version in tbmon's package.json (found upwards from this module: cli/ unbuilt, dist/cli/ built). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tbmon') return pkg.version ?? 'unknown';
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

function progressPrinter(io: CliIo, quiet: boolean): (p: DiscoveryProgress | string) => void {
  if (quiet || !io.stderrIsTty) return () => {};
  return (p) => {
    const text = typeof p === 'string' ? p
      : p.phase === 'scope' ? `scope: ${p.description}`
        : p.phase === 'graph' ? `Resource Graph: ${p.rows} rows`
          : p.phase === 'wait' ? `waiting ${Math.round(p.wait.ms / 100) / 10} s (${p.wait.reason})`
            : p.phase === 'arm-fallback' ? `ARM fallback for ${p.workspaces} workspace(s)`
              : p.phase === 'graph-split' ? `Resource Graph failed (${p.reason}): reading it again in ${p.parts} parts`
              : p.phase === 'jobs' ? `job lists of ${p.workspaces} ML workspace(s)`
              : `${p.found} host(s) found`;
    io.stderr(`\r\u001b[2K${text}`);
  };
}

interface Output {
  write: (chunk: string) => void;
  /** `counts`: what the file holds, in words, said beside where it is (absent when the run stopped before its end). */
  close: (counts?: string) => void;
}

/** Where the report goes: --output FILE (written as it is produced, never held whole) or stdout. */
function openOutput(io: CliIo, args: CliArgs): Output {
  if (!args.output) return { write: io.stdout, close: () => {} };
  const file = args.output;
  // Opened at the first write: a run that fails before it has anything to say (a scope that does not exist) leaves no file.
  let fd: number | undefined;
  return {
    write: (chunk) => { writeSync((fd ??= openSync(file, 'w')), chunk); },
    close: (counts) => {
      if (fd === undefined) return;
      closeSync(fd);
      // Said on stderr, so stdout stays exactly the report (when there is one).
      io.stderr(`tbmon: wrote ${path.resolve(file)} (${formatOf(args, io)})${counts ? `: ${counts}` : ''}\n`);
    },
  };
}

/** The report's format: --format, else table on a terminal without --output, else json (bin/heap.cjs decides by it too). */
export function formatOf(args: Pick<CliArgs, 'format' | 'output'>, io: Pick<CliIo, 'stdoutIsTty'>): Format {
  return args.format ?? (io.stdoutIsTty && !args.output ? 'table' : 'json');
}

function reportWriter(format: Format, write: (chunk: string) => void, generatedAt: Date, args: CliArgs, io: CliIo): ReportWriter {
  if (format === 'json') return jsonReportWriter(write, generatedAt);
  if (format === 'ndjson') return ndjsonReportWriter(write, generatedAt);
  if (format === 'html') return htmlReportWriter(write, generatedAt);
  return tableReportWriter(write, generatedAt, { colour: io.stdoutIsTty && !args.output && !io.env.NO_COLOR, all: args.all, width: terminalWidth(io.stdoutIsTty ? io.columns : undefined, io.env) });
}

function exitCodeOf(summary: Report['summary'], incomplete: boolean): number {
  if (incomplete) return EXIT.incomplete;
  return summary.fail > 0 ? EXIT.failing : EXIT.ok;
}

/**
 * Discovery hands hosts on in batches of one Log Analytics workspace (the sweep's batches); each is evaluated and
 * its reports written out before the next is held. Evidence in bulk, as the sweep reads it (Resource Graph per
 * batch); `--fresh` reads every resource from ARM instead.
 */
async function scan(args: CliArgs, rt: Runtime, io: CliIo, scope: Scope | undefined): Promise<number> {
  const started = performance.now();
  const progress = progressPrinter(io, args.quiet);
  const errors: RunError[] = [];
  const out = openOutput(io, args);
  let counts: string | undefined;
  try {
    const writer = reportWriter(formatOf(args, io), out.write, rt.now ?? new Date(), args, io);
    const coverage = new CoverageAccumulator({ hostTag: rt.settings.hostTag });
    const cache = new Map<string, Promise<unknown>>();
    let done = 0;
    const onReport = (report: HostReport) => {
      writer.host(report);
      coverage.add(report);
    };
    const discovered = await discoverInBatches({ azure: rt.azure, settings: rt.settings, errors, now: rt.now ?? new Date() }, { scope, onProgress: progress }, async (batch) => {
      const result = await evaluateHosts(batch.hosts, { azure: rt.azure, settings: rt.settings, mode: args.fresh ? 'on-demand' : 'batch', now: rt.now, cache, onReport });
      errors.push(...result.errors);
      done += batch.hosts.length;
      progress(`evaluated ${done} hosts`);
    });
    if (!args.quiet && io.stderrIsTty) io.stderr('\r\u001b[2K');
    const requests = emptyRequestCounts();
    Object.assign(requests, rt.azure.counter.snapshot());
    const summary = writer.end({ errors, stats: { durationMs: Math.round(performance.now() - started), requests }, coverage: coverage.result() });
    counts = `${countsWords(summary)}${discovered.complete ? '' : ' (incomplete: some subscriptions or workspaces could not be read)'}`;
    return exitCodeOf(summary, !discovered.complete);
  } finally {
    out.close(counts);
  }
}

/**
 * `tbmon coverage`: what tbmon cannot see on the fleet — per family the hosts it sees it from, and one fix per gap —
 * evaluated as scan does (batch by batch, only counts and one entry per gap held). Exit 3 when incomplete, else 0.
 */
async function coverage(args: CliArgs, rt: Runtime, io: CliIo, scope: Scope | undefined): Promise<number> {
  const started = performance.now();
  const progress = progressPrinter(io, args.quiet);
  const errors: RunError[] = [];
  const acc = new CoverageAccumulator({ hostTag: rt.settings.hostTag });
  const cache = new Map<string, Promise<unknown>>();
  const discovered = await discoverInBatches({ azure: rt.azure, settings: rt.settings, errors, now: rt.now ?? new Date() }, { scope, onProgress: progress }, async (batch) => {
    const result = await evaluateHosts(batch.hosts, { azure: rt.azure, settings: rt.settings, mode: 'batch', now: rt.now, cache, onReport: (report) => acc.add(report) });
    errors.push(...result.errors);
  });
  if (!args.quiet && io.stderrIsTty) io.stderr('\r\u001b[2K');
  const requests = emptyRequestCounts();
  Object.assign(requests, rt.azure.counter.snapshot());
  const c = acc.result();
  const out = openOutput(io, args);
  let counts: string | undefined;
  try {
    if (formatOf(args, io) === 'json') {
      const stats = { durationMs: Math.round(performance.now() - started), requests };
      out.write(`${JSON.stringify({ schemaVersion: 1, generatedAt: (rt.now ?? new Date()).toISOString(), coverage: c, errors, stats }, null, 2)}\n`);
    } else {
      out.write(renderCoverageTable(c, { bicep: true, wrap: coverageWrap(terminalWidth(io.stdoutIsTty ? io.columns : undefined, io.env)) }) + (errors.length ? `\nerrors:\n${errors.map((e) => `  ${e.scope}: ${e.code}: ${e.message}`).join('\n')}\n` : ''));
    }
    counts = `coverage of ${c.hosts} host${c.hosts === 1 ? '' : 's'}, ${c.gaps.length} gap${c.gaps.length === 1 ? '' : 's'} with a fix`;
  } finally {
    out.close(counts);
  }
  return discovered.complete ? EXIT.ok : EXIT.incomplete;
}

async function check(args: CliArgs, rt: Runtime, io: CliIo, query: HostQuery): Promise<number> {
  const report = await checkHostNow(query, { azure: rt.azure, settings: rt.settings, now: rt.now });
  const out = openOutput(io, args);
  let counts: string | undefined;
  try {
    const writer = reportWriter(formatOf(args, io), out.write, new Date(report.generatedAt), args, io);
    for (const h of report.hosts) writer.host(h);
    const summary = writer.end({ errors: report.errors, stats: report.stats, coverage: report.coverage });
    counts = countsWords(summary);
    return exitCodeOf(summary, false);
  } finally {
    out.close(counts);
  }
}

async function hosts(args: CliArgs, rt: Runtime, io: CliIo, scope: Scope | undefined): Promise<number> {
  const out = openOutput(io, args);
  let counts: string | undefined;
  try {
    const printer = progressPrinter(io, args.quiet);
    let found = 0;
    const progress = (p: DiscoveryProgress | string) => {
      if (typeof p !== 'string' && p.phase === 'hosts') found = p.found;
      printer(p);
    };
    const format = formatOf(args, io) === 'json' ? 'json' : 'table';
    const exitCode = await listHostsCommand({ azure: rt.azure, settings: rt.settings, now: rt.now, scope, onProgress: progress }, format, out.write);
    if (!args.quiet && io.stderrIsTty) io.stderr('\r\u001b[2K');
    counts = `${found} host${found === 1 ? '' : 's'}${exitCode === 0 ? '' : ' (incomplete: some subscriptions or workspaces could not be read)'}`;
    return exitCode;
  } finally {
    out.close(counts);
  }
}

function isAuthFailure(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? '';
  const status = (e as { statusCode?: number })?.statusCode;
  return /CredentialUnavailableError|AuthenticationError|AggregateAuthenticationError/.test(name) || status === 401;
}

// The sources DefaultAzureCredential tries (@azure/identity 4.x), as its errors name them, in words.
const CREDENTIAL_WORDS: [RegExp, string][] = [
  [/EnvironmentCredential/, 'environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate)'],
  [/WorkloadIdentityCredential/, 'workload identity'],
  [/ManagedIdentityCredential/, 'managed identity'],
  [/Visual Studio Code/i, 'VS Code'],
  [/Azure CLI|AzureCliCredential/, 'Azure CLI (az login)'],
  [/PowerShell/, 'Azure PowerShell'],
  [/Azure Developer CLI|AzureDeveloperCliCredential/, 'Azure Developer CLI'],
];

/** One line: which credentials were tried, and what to do — never the chain's ten lines of errors. */
export function authFailureLine(e: unknown, clientId: string | undefined): string {
  const text = [e, ...(((e as { errors?: unknown[] })?.errors) ?? [])].map((x) => String((x as Error)?.message ?? x)).join('\n');
  const tried = clientId ? ['the managed identity AZURE_CLIENT_ID names'] : CREDENTIAL_WORDS.filter(([re]) => re.test(text)).map(([, words]) => words);
  const list = tried.length ? tried : ['DefaultAzureCredential'];
  const triedWords = list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0];
  return `tbmon: not signed in to Azure: tried ${triedWords}; none gave a token. Run "az login" (or set AZURE_CLIENT_ID to use a managed identity).\n`;
}

/** Asks the credential for an ARM token once, before the run, so a missing login is one line and not a report. */
async function signedIn(rt: Runtime, io: CliIo): Promise<boolean> {
  try {
    await rt.azure.options.credential.getToken(rt.azure.armScope);
    return true;
  } catch (e) {
    io.stderr(authFailureLine(e, io.env.AZURE_CLIENT_ID?.trim() || undefined));
    return false;
  }
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  // Operator commands against the app's storage, with arguments of their own.
  if (argv[0] === 'poison') return (require('./poison') as typeof import('./poison')).runPoison(argv.slice(1), io);
  if (argv[0] === 'notify') return (require('./notify') as typeof import('./notify')).runNotify(argv.slice(1), io);
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`tbmon: ${e.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  if (args.command === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (args.command === 'version') {
    io.stdout(`tbmon ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (args.command === 'launcher') {
    const script = launcherScript();
    if (!args.output) {
      io.stdout(script.toString('utf8'));
      return EXIT.ok;
    }
    try {
      writeFileSync(args.output, script, { mode: 0o755 });
    } catch (e) {
      io.stderr(`tbmon: --output ${args.output}: cannot be written (${unreadable(e)})\n`);
      return EXIT.usage;
    }
    io.stderr(`tbmon: wrote ${path.resolve(args.output)}: the launcher, ${script.length} bytes; run it as: bash ${args.output} --logdir <logdir> --port 6006\n`);
    return EXIT.ok;
  }
  if (args.command === 'demo') {
    const { runDemo } = require('./demo') as typeof import('./demo');
    return runDemo({ outDir: args.outDir, log: (line) => io.stderr(`${line}\n`), print: io.stdout, colour: io.stdoutIsTty });
  }

  let settings: Settings;
  let scope: Scope | undefined;
  let query: HostQuery | undefined;
  try {
    // Bad input changes nothing: the host asked for is parsed before any client or sandbox starts.
    if (args.command === 'check') query = parseOrThrow(args.target, `the host ${JSON.stringify((args.target ?? '').slice(0, 100))}`);
    // Found out before the run rather than after it: a report with nowhere to go is a usage error.
    if (args.output && !existsSync(path.dirname(path.resolve(args.output)))) throw new UsageError(`--output ${args.output}: the directory ${path.dirname(path.resolve(args.output))} does not exist`);
    settings = loadSettings(io.env);
    if (args.scope) {
      const parsed = parseScope(args.scope);
      if (typeof parsed === 'string') throw new UsageError(`--scope ${JSON.stringify(args.scope)} ${parsed} (accepted: all, subscriptions:<id>,<id>, managementGroup:<id>)`);
      scope = parsed;
      // check: the host is looked up, and must lie, in --scope instead of TBMON_SCOPE.
      if (args.command === 'check') settings = { ...settings, scope: parsed };
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`tbmon: the settings in the environment are invalid:\n${e.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof RequestError) {
      io.stderr(`tbmon: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  for (const warning of unknownSettingWarnings(io.env)) io.stderr(`tbmon: warning: ${warning}\n`);

  let rt: Runtime;
  try {
    rt = await openRuntime(args, settings, io.env);
  } catch (e) {
    io.stderr(`tbmon: ${e instanceof UsageError ? e.message : `could not start: ${(e as Error).message}`}\n`);
    return EXIT.usage;
  }
  try {
    if (!args.sandbox && !args.sandboxUrl && !(await signedIn(rt, io))) return EXIT.incomplete;
    if (args.command === 'scan') return await scan(args, rt, io, scope);
    if (args.command === 'check') return await check(args, rt, io, query!);
    if (args.command === 'coverage') return await coverage(args, rt, io, scope);
    return await hosts(args, rt, io, scope);
  } catch (e) {
    if (e instanceof RequestError) {
      io.stderr(`tbmon: ${e.message}\n`);
      return e.exitCode;
    }
    if (isAuthFailure(e)) {
      io.stderr(authFailureLine(e, io.env.AZURE_CLIENT_ID?.trim() || undefined));
      return EXIT.incomplete;
    }
    io.stderr(`tbmon: the run could not finish: ${(e as Error).message}\n`);
    return EXIT.incomplete;
  } finally {
    await rt.close();
  }
}

/**
 * Runs the command line of this process: what `bin/tbmon.js` (built or not) and `npm run tbmon` call. The exit code is
 * main()'s; an error main() did not expect is one line and exit 3, with its stack.
 */
export function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // `tbmon scan | head`: the reader went away. Stop at once, without a stack trace, as a Unix tool does; the report
  // was not all delivered, so the run could not finish (exit 3).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EXIT.incomplete);
  });
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tbmon: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT.incomplete;
    },
  );
}
