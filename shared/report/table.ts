// Terminal rendering of a report, made for a terminal: first a summary table — one line per host (status, host,
// workspace, its worst finding in a few words) fitted to the width — then, for failing and warning hosts, each finding
// with its fix, wrapped to the width with a hanging indent. Words are never dropped or cut in the findings; a command
// breaks only between its arguments, with a trailing ` \` so it still pastes (a single argument longer than the line
// continues with a bare `\` at the start of the next, which the shell joins too). Times and durations in words.
// TableRenderer takes host reports one at a time (a streaming scan), keeping one short line per host and the lines of
// failing and warning hosts only.
import { plainSentence } from '../checks/registry';
import type { CheckResult, CheckStatus, HostKind, HostReport, Report, RunError, RunStats } from '../model';
import { renderCoverageTable, type CoverageWrap } from './coverage';

export type StatusWord = 'FAIL' | 'WARN' | 'UNKNOWN' | 'PASS' | 'SKIP';
const WORD: Record<CheckStatus, StatusWord> = { fail: 'FAIL', warn: 'WARN', unknown: 'UNKNOWN', pass: 'PASS', skipped: 'SKIP' };
const RANK: Record<CheckStatus, number> = { fail: 4, warn: 3, unknown: 2, pass: 1, skipped: 0 };
const COLOUR: Record<CheckStatus, number> = { fail: 31, warn: 33, unknown: 35, pass: 32, skipped: 90 };
const KIND_WORDS: Record<HostKind, string> = { 'compute-instance': 'compute instance', 'compute-cluster': 'compute cluster', vm: 'VM', 'job-service': 'job service' };

export const DEFAULT_WIDTH = 100;
const MIN_WIDTH = 40;
/** Where findings start: `  UNKNOWN  ` — two spaces, the longest status word, two spaces. */
const FINDING_INDENT = 11;
const FIX_INDENT = FINDING_INDENT + 5;

/** The width to render at: the terminal's, else $COLUMNS, else 100. */
export function terminalWidth(columns: number | undefined, env: Record<string, string | undefined>): number {
  if (columns && columns > 0) return Math.max(MIN_WIDTH, columns);
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(MIN_WIDTH, fromEnv);
  return DEFAULT_WIDTH;
}

export interface TableOptions {
  colour?: boolean;
  /** Show passing and skipped checks, and passing hosts' findings, too. */
  all?: boolean;
  /** Columns (default 100). */
  width?: number;
}

// ---- words for times and durations --------------------------------------------------------------------------------

const UNITS: [string, string][] = [['D', 'day'], ['H', 'hour'], ['M', 'minute'], ['S', 'second']];

/** `PT1H` → "hour", `PT30M` → "30 minutes", `P1D` → "day" (as in "in the last …"). */
export function durationWords(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const parts = [m[1], m[2], m[3], m[4]].map((v, i) => (v && Number(v) ? [Number(v), UNITS[i][1]] as const : null)).filter((x) => x !== null);
  if (!parts.length) return iso;
  return parts.map(([n, unit]) => (n === 1 && parts.length === 1 ? unit : `${n} ${unit}${n === 1 ? '' : 's'}`)).join(' ');
}

/** An ISO time as "05:42 UTC", with the date ("26 Nov 05:42 UTC") when it is not the day of `now`. */
export function timeWords(iso: string, now: Date): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const hm = `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')} UTC`;
  if (t.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)) return hm;
  const month = t.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${t.getUTCDate()} ${month}${t.getUTCFullYear() !== now.getUTCFullYear() ? ` ${t.getUTCFullYear()}` : ''} ${hm}`;
}

/** Prose for people: ISO durations and timestamps in words. Not for commands. */
export function inWords(text: string, now: Date): string {
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => timeWords(iso, now))
    .replace(/\bP(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?\b/g, (iso) => (iso === 'P' || iso === 'PT' ? iso : durationWords(iso)));
}

// ---- wrapping ---------------------------------------------------------------------------------------------------------

/** Words of prose, arguments of commands (a quoted argument stays one token) and words of a shell comment. */
export interface Token { text: string; command: boolean; comment: boolean }

const COMMANDS = new Set(['az', 'tensorboard', 'sudo', 'journalctl', 'du', 'ls', 'find', 'ss', 'pkill', 'sysctl', 'ps', 'top', 'python', 'python3', 'pip', 'curl', 'bash', 'sh', 'tbmon', 'chmod', 'systemctl', 'nohup', 'grep', 'tail']);

/**
 * Marks the tokens that belong to a command: one starts at `az` opening the text, or at a command word after a colon
 * or "(", and runs to a `;` or the end; after a `#` in a command the words are its comment.
 */
export function tokenize(text: string, allCommand = false): Token[] {
  const words = text.split(/\s+/).filter(Boolean);
  const tokens: Token[] = [];
  let inCommand = allCommand;
  let inComment = false;
  // A command opened by "(" in prose ends with its closing parenthesis ("(az … --query status)."): depth counts them.
  let depth = 0;
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    const prev = words[i - 1];
    const bare = w.replace(/^\(/, '');
    if (!inCommand && COMMANDS.has(bare) && ((i === 0 && bare === 'az') || (i > 0 && /[:(]$/.test(prev)) || (w.startsWith('(') && i > 0))) {
      inCommand = true;
      depth = w.startsWith('(') ? 0 : prev?.endsWith('(') ? 1 : -1;
    }
    if (inCommand && !inComment) {
      // A quoted argument stays whole: '( sport = :6006 )', "[?name=='DenyAllInBound']".
      const open = (t: string) => (t.startsWith("'") || /^[^'"]*="?'/.test(t) ? "'" : t.startsWith('"') || /^[^'"]*="/.test(t) ? '"' : null);
      const q = open(w);
      if (q && (w.split(q).length - 1) % 2 === 1) {
        while (i + 1 < words.length && (w.split(q).length - 1) % 2 === 1) w += ` ${words[++i]}`;
      }
      if (w === '#') inComment = true;
      tokens.push({ text: w, command: true, comment: false });
      if (depth >= 0 && !q) depth += (w.match(/\(/g) ?? []).length - (w.match(/\)/g) ?? []).length;
      if (!allCommand && (/;$/.test(w) || (depth === 0 && /\)[.,;:]?$/.test(w)))) {
        inCommand = false;
        depth = 0;
      }
      continue;
    }
    tokens.push({ text: w, command: inCommand, comment: inComment });
  }
  return tokens;
}

/**
 * Wraps `text` into lines of at most `width` columns: the first after `first` (a label), the others after `indent`
 * spaces. Inside a command a break ends the line with ` \`; an argument longer than a line continues at the start of
 * the next line after a bare `\`. Prose breaks at spaces; a prose word longer than a line gets a line of its own.
 */
export function wrap(text: string, width: number, first: string, indent: number, allCommand = false): string[] {
  const lines: string[] = [];
  const pad = ' '.repeat(indent);
  let line = first;
  let empty = true;
  const room = (t: Token, next: Token | undefined) => width - (t.command && next?.command && !next.comment ? 2 : 0);
  const tokens = tokenize(text, allCommand);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const sep = empty ? '' : ' ';
    const limit = room(t, next);
    if (line.length + sep.length + t.text.length <= limit) {
      line += sep + t.text;
      empty = false;
      continue;
    }
    if (!empty) {
      const prevCommand = tokens[i - 1]?.command && t.command && !t.comment;
      lines.push(prevCommand ? `${line} \\` : line);
      // A shell comment goes on with a `#` of its own on each line, so no word of it is run.
      line = t.comment ? `${pad}# ` : pad;
    }
    if (line.length + t.text.length <= limit || !t.command || t.comment || t.text.includes("'")) {
      line += t.text;
      empty = false;
      continue;
    }
    // A command argument longer than a line: backslash-newline inside an unquoted word joins it back in the shell.
    let rest = t.text;
    let at = line;
    while (at.length + rest.length > limit) {
      const take = Math.max(1, width - at.length - 1);
      lines.push(`${at}${rest.slice(0, take)}\\`);
      rest = rest.slice(take);
      at = '';
    }
    line = at + rest;
    empty = false;
  }
  if (!empty || !lines.length) lines.push(line);
  return lines;
}

/** Cuts at a word boundary to `max` columns, with an ellipsis when anything was left out (summary lines only). */
function fit(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  if (max <= 1) return '…'.slice(0, max);
  const cut = t.slice(0, max - 1);
  const at = cut.lastIndexOf(' ');
  return `${(at > max / 3 ? cut.slice(0, at) : cut).replace(/[\s,;:.(–-]+$/, '')}…`;
}

// ---- the renderer -----------------------------------------------------------------------------------------------------

interface Row { status: CheckStatus; name: string; workspace: string; worst: string }

/** A report's counts in words: `12 hosts — 3 fail, 2 warn, 1 unknown, 6 pass`. */
export function countsWords(c: Report['summary']): string {
  return `${c.hosts} host${c.hosts === 1 ? '' : 's'} — ${c.fail} fail, ${c.warn} warn, ${c.unknown} unknown, ${c.pass} pass`;
}

export class TableRenderer {
  private readonly rows: Row[] = [];
  private readonly details: string[] = [];
  private readonly counts = { hosts: 0, pass: 0, warn: 0, fail: 0, unknown: 0 };
  private readonly width: number;
  private readonly now: Date;

  constructor(private readonly opts: TableOptions = {}, now = new Date()) {
    this.width = Math.max(MIN_WIDTH, opts.width ?? DEFAULT_WIDTH);
    this.now = now;
  }

  private paint(status: CheckStatus, text: string): string {
    return this.opts.colour ? `\u001b[${COLOUR[status]}m${text}\u001b[0m` : text;
  }

  /** One host's report: its summary row, and its findings when it fails or warns (or with `all`). */
  add(h: HostReport): void {
    this.counts.hosts++;
    this.counts[h.status]++;
    const counted = h.checks.filter((k) => !k.suppressed && k.status !== 'skipped');
    const worst = counted.reduce<CheckResult | null>((w, k) => (!w || RANK[k.status] > RANK[w.status] ? k : w), null);
    // The host has its own column: "TensorBoard on ci-1 is not running" reads "is not running" beside it.
    const sentence = worst && worst.status !== 'pass' ? inWords(plainSentence(worst, h.host), this.now).replace(`TensorBoard on ${h.host.name} `, '') : '';
    const worstWords = !worst ? 'nothing was judged' : worst.status === 'pass' ? 'all checks pass' : sentence;
    this.rows.push({ status: h.status, name: h.host.name, workspace: h.host.workspace ?? h.host.resourceGroup, worst: worstWords });
    if (!this.opts.all && h.status !== 'fail' && h.status !== 'warn') return;

    const out = this.details;
    const where = h.host.workspace
      ? `${KIND_WORDS[h.host.kind]} in workspace ${h.host.workspace}, resource group ${h.host.resourceGroup}`
      : `${KIND_WORDS[h.host.kind]} in resource group ${h.host.resourceGroup}`;
    const ports = h.host.port !== h.host.publishedPort ? `port ${h.host.publishedPort} (TensorBoard on ${h.host.port})` : `port ${h.host.port}`;
    out.push('');
    const head = wrap(`${h.host.name} — ${where}, subscription ${h.host.subscriptionId}, ${ports}`, this.width, `${WORD[h.status]} `, 2);
    out.push(head[0].replace(WORD[h.status], this.paint(h.status, WORD[h.status])), ...head.slice(1));
    const shown = h.checks.filter((k) => this.opts.all || k.status === 'fail' || k.status === 'warn' || k.status === 'unknown');
    for (const k of shown) {
      const label = `  ${WORD[k.status]}${k.suppressed ? '*' : ''}`.padEnd(FINDING_INDENT);
      const painted = (lines: string[]) => lines.map((l, i) => (i === 0 ? l.replace(WORD[k.status], this.paint(k.status, WORD[k.status])) : l));
      const sentence = inWords(plainSentence(k, h.host), this.now) + (k.suppressed ? ` (suppressed${k.suppressReason ? `: ${k.suppressReason}` : ''})` : '');
      out.push(...painted(wrapVisible(sentence, this.width, label, FINDING_INDENT)));
      if (k.status === 'unknown' && k.hint) out.push(...wrapVisible(inWords(k.hint, this.now), this.width, `${' '.repeat(FINDING_INDENT)}hint: `, FIX_INDENT));
      if ((k.status === 'fail' || k.status === 'warn') && k.remediation) out.push(...wrapVisible(k.remediation, this.width, `${' '.repeat(FINDING_INDENT)}fix: `, FIX_INDENT));
    }
  }

  /** The whole text: summary line, the table of hosts, the findings, errors and request counts. */
  finish(errors: readonly RunError[], stats?: RunStats, coverage?: Report['coverage']): string {
    const c = this.counts;
    const out: string[] = [`tbmon: ${countsWords(c)}`];
    if (this.rows.length) {
      const nameW = Math.min(Math.max(4, ...this.rows.map((r) => r.name.length)), Math.max(8, Math.floor(this.width * 0.25)));
      const wsW = Math.min(Math.max(9, ...this.rows.map((r) => r.workspace.length)), Math.max(8, Math.floor(this.width * 0.2)));
      const findingW = Math.max(10, this.width - 9 - nameW - 2 - wsW - 2);
      out.push('', `${'STATUS'.padEnd(9)}${'HOST'.padEnd(nameW + 2)}${'WORKSPACE'.padEnd(wsW + 2)}WORST FINDING`);
      for (const r of this.rows) {
        const line = `${WORD[r.status].padEnd(9)}${fit(r.name, nameW).padEnd(nameW + 2)}${fit(r.workspace, wsW).padEnd(wsW + 2)}${fit(r.worst, findingW)}`;
        out.push(this.paint(r.status, WORD[r.status]) + line.slice(WORD[r.status].length));
      }
    }
    out.push(...this.details);
    if (coverage) out.push('', renderCoverageTable(coverage, { wrap: coverageWrap(this.width) }).trimEnd());
    if (errors.length) {
      out.push('', 'errors:');
      for (const e of errors) out.push(...wrapVisible(`${e.scope}: ${e.code}: ${inWords(e.message, this.now)}`, this.width, '  ', 4));
    }
    if (stats) {
      const r = stats.requests;
      out.push('', ...wrap(`${(stats.durationMs / 1000).toFixed(1)} s · requests: Resource Graph ${r.resourceGraph}, ARM ${r.arm}, Log Analytics ${r.logAnalytics}, email ${r.email}, Teams ${r.teams}`, this.width, '', 0));
    }
    return out.join('\n') + '\n';
  }
}

/** wrap() of a text that may hold several lines of its own (an error message): each wrapped, indent kept. */
/** How the coverage section wraps to `width`: its prose as prose, each line of a fix's command as a command. */
export function coverageWrap(width: number): CoverageWrap {
  return {
    prose: (text, first, indent) => wrapVisible(text, width, first, indent),
    command: (text, first, indent) => text.split('\n').flatMap((line) => wrap(line, width, first, indent, true)),
  };
}

function wrapVisible(text: string, width: number, first: string, indent: number): string[] {
  return text.split('\n').flatMap((part, i) => wrap(part, width, i === 0 ? first : ' '.repeat(indent), indent));
}

export function renderTable(report: Report, opts: TableOptions = {}): string {
  const t = new TableRenderer(opts, new Date(report.generatedAt));
  for (const h of report.hosts) t.add(h);
  return t.finish(report.errors, report.stats, report.coverage);
}
