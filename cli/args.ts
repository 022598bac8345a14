// `tbmon` argument parsing: pure, so usage errors (exit 2) are decided before anything runs.

export type Command = 'scan' | 'check' | 'hosts' | 'coverage' | 'demo' | 'launcher' | 'help' | 'version';
export type Format = 'table' | 'json' | 'html' | 'ndjson';

export interface CliArgs {
  command: Command;
  /** `check`'s target: ARM id, name or TensorBoard URL. */
  target?: string;
  format?: Format;
  output?: string;
  scope?: string;
  sandbox?: string;
  sandboxUrl?: string;
  sandboxCa?: string;
  /** `demo`: where to write the artefacts. */
  outDir?: string;
  all: boolean;
  quiet: boolean;
  /** `scan --fresh`: ARM reads of every resource instead of Resource Graph in bulk. */
  fresh: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a command with arguments of its own (`tbmon notify`, `tbmon poison`) writes to and reads. */
export interface SubcommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

/** A usage error of `tbmon <command>`: the problem, then the command's usage, on stderr; exit 2. */
export function subcommandUsage(io: SubcommandIo, command: string, usage: string, message: string): number {
  io.stderr(`tbmon ${command}: ${message}\n\nusage:\n${usage}\n`);
  return 2;
}

export const USAGE = `tbmon — why is my TensorBoard on Azure ML answering 502?

usage:
  tbmon scan   [--scope S] [--format table|json|ndjson|html] [--output FILE] [--all] [--fresh]
  tbmon check  <arm-id | name | TensorBoard or studio URL> [--scope S] [--format table|json|ndjson|html] [--output FILE]
  tbmon hosts  [--scope S] [--format table|json] [--output FILE]
  tbmon coverage [--scope S] [--format table|json] [--output FILE]
                         what tbmon cannot see on the fleet, with one fix per gap
  tbmon demo   [--out DIR]
  tbmon launcher [--output FILE]   the TensorBoard launcher script the fixes refer to
  tbmon poison list | requeue <id>… | drop <id>…   (the app's poison queues, in AzureWebJobsStorage)
  tbmon notify --test <email | teams>               (a sample digest through the configured email and Teams)

options:
  --scope S              all | subscriptions:<id>,<id> | managementGroup:<id> (default: TBMON_SCOPE, else all);
                         check looks the host up in it
  --format F             table (default on a terminal), json (default otherwise), ndjson (one host report
                         a line, then a summary line) or html
  --fresh                scan: read every resource from ARM (costly: one call per resource) rather than
                         Resource Graph in bulk, which can lag a change by minutes
  --output FILE          write the report to FILE instead of stdout
  --all                  table format: show passing checks too
  --sandbox TENANT.json  run against a sandbox tenant started in this process
  --sandbox-url URL --sandbox-ca FILE
                         run against a sandbox that is already running
  -q, --quiet            no progress on stderr
  -V, --version          print tbmon's version

Without --sandbox*, tbmon uses DefaultAzureCredential (az login, managed identity, …) against Azure.
exit codes: 0 no host fails · 1 a host fails · 2 usage/configuration error, host not found or ambiguous · 3 the run could not finish`;

const FLAGS_WITH_VALUE = new Set(['--format', '--output', '--scope', '--sandbox', '--sandbox-url', '--sandbox-ca', '--out']);

const ALL_FLAGS = [...FLAGS_WITH_VALUE, '--all', '--quiet', '--help', '--version'];

/** " (did you mean --format?)" for a flag one or two letters away from a known one; "" otherwise. */
function nearestFlag(name: string): string {
  const bare = name.replace(/^-+/, '');
  const close = ALL_FLAGS.find((f) => {
    const k = f.slice(2);
    if (k === bare) return true;
    if (Math.abs(k.length - bare.length) > 2) return false;
    let same = 0;
    for (const ch of new Set(bare)) if (k.includes(ch)) same++;
    return same >= Math.max(k.length, bare.length) - 2 && (k.startsWith(bare.slice(0, 2)) || bare.startsWith(k.slice(0, 2)));
  });
  return close ? ` (did you mean ${close}?)` : '';
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  let all = false;
  let quiet = false;
  let fresh = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return { command: 'help', all, quiet, fresh };
    if (a === '-V' || a === '--version') return { command: 'version', all, quiet, fresh };
    if (a === '--all') all = true;
    else if (a === '--fresh') fresh = true;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (!FLAGS_WITH_VALUE.has(name)) throw new UsageError(`unknown option ${name}${nearestFlag(name)}`);
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
      if (name in values) throw new UsageError(`${name} given twice`);
      values[name] = value;
    } else positional.push(a);
  }
  const [command, ...rest] = positional;
  if (!command) return { command: 'help', all, quiet, fresh };
  if (!['scan', 'check', 'hosts', 'coverage', 'demo', 'launcher', 'help'].includes(command)) throw new UsageError(`unknown command "${command}" (scan, check, hosts, coverage, demo, launcher)`);
  const format = values['--format'];
  if (format !== undefined && !['table', 'json', 'ndjson', 'html'].includes(format)) throw new UsageError(`--format must be table, json, ndjson or html, not "${format}"`);
  if (fresh && command !== 'scan') throw new UsageError('--fresh is for scan (check always reads ARM fresh)');
  if ((command === 'hosts' || command === 'coverage') && (format === 'html' || format === 'ndjson')) throw new UsageError(`${command} supports --format table or json`);
  if (command === 'check') {
    if (rest.length !== 1) throw new UsageError('check needs exactly one host: an ARM resource id, a compute or VM name, or a TensorBoard URL');
  } else if (rest.length) throw new UsageError(`${command} takes no argument "${rest[0]}"`);
  if (values['--sandbox'] && (values['--sandbox-url'] || values['--sandbox-ca'])) throw new UsageError('use either --sandbox or --sandbox-url/--sandbox-ca');
  if (!!values['--sandbox-url'] !== !!values['--sandbox-ca']) throw new UsageError('--sandbox-url and --sandbox-ca go together');
  if (values['--sandbox-url'] && !/^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/.test(values['--sandbox-url'])) {
    throw new UsageError('--sandbox-url must be an https URL on loopback (https://127.0.0.1:PORT)');
  }
  const notForDemo = ['--sandbox', '--sandbox-url', '--sandbox-ca', '--scope', '--format', '--output'].find((f) => values[f] !== undefined);
  if (command === 'demo' && notForDemo) throw new UsageError(`demo runs its own sandbox and takes only --out, not ${notForDemo}`);
  const notForLauncher = ['--sandbox', '--sandbox-url', '--sandbox-ca', '--scope', '--format', '--out'].find((f) => values[f] !== undefined);
  if (command === 'launcher' && notForLauncher) throw new UsageError(`launcher prints the launcher script and takes only --output, not ${notForLauncher}`);
  if (values['--out'] && command !== 'demo') throw new UsageError('--out is for demo; use --output FILE');
  return {
    command: command as Command,
    target: command === 'check' ? rest[0] : undefined,
    format: format as Format | undefined,
    output: values['--output'],
    scope: values['--scope'],
    sandbox: values['--sandbox'],
    sandboxUrl: values['--sandbox-url'],
    sandboxCa: values['--sandbox-ca'],
    outDir: values['--out'],
    all,
    quiet,
    fresh,
  };
}
