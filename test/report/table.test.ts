// The terminal table at 80, 100 and 200 columns, over every finding and fix the check registry can produce (each
// check's example outcomes on each host kind it applies to): no line longer than the width, one summary line per
// host, every word of every finding present, and every fix the same command once its ` \` continuations are joined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS, plainSentence } from '../../shared/checks/registry';
import { buildReport } from '../../shared/report/build';
import { inWords, renderTable, TableRenderer, terminalWidth, wrap } from '../../shared/report/table';
import { emptyRequestCounts, hostOf, hostStatus, type CheckResult, type HostReport } from '../../shared/model';
import { host, NOW, settings } from '../support/evidence';

const FIX_INDENT = 16;

/** One host per check and kind, holding that check's example outcomes (so hosts fail, warn, are unknown or pass). */
function registryHosts(): HostReport[] {
  const hosts: HostReport[] = [];
  for (const def of ALL_CHECKS) {
    for (const kind of def.appliesTo) {
      const record = host({ kind, name: `${kind === 'vm' ? 'vm' : 'ci'}-${def.id.replace(/\./g, '-')}` });
      const checks: CheckResult[] = Object.values(def.examples(record, settings)).flat().map((o) => ({ id: def.id, class: def.class, ...o!, severity: o!.severity ?? def.severity }));
      hosts.push({ host: hostOf(record), evaluatedAt: NOW, status: hostStatus(checks), checks });
    }
  }
  return hosts;
}

const hosts = registryHosts();
const report = buildReport(hosts, { errors: [], stats: { durationMs: 1234, requests: emptyRequestCounts() }, generatedAt: new Date(NOW) });
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The fixes as a person pastes them: each `fix:` block, its continuations joined the way the shell joins them. */
function pastedFixes(text: string): string[] {
  const lines = text.split('\n');
  const fixes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].indexOf('fix: ');
    if (at !== FIX_INDENT - 5 || lines[i].slice(0, at).trim()) continue;
    let cmd = lines[i].slice(FIX_INDENT);
    let inComment = false;
    while (i + 1 < lines.length && (lines[i + 1].startsWith(' '.repeat(FIX_INDENT)) || /\\$/.test(lines[i]))) {
      const prev = lines[i];
      const next = lines[++i];
      if (/[^ ]\\$/.test(prev) && !prev.endsWith(' \\')) {
        cmd = cmd.slice(0, -1) + next; // backslash-newline inside a word: the shell joins it directly
        continue;
      }
      let part = next.slice(FIX_INDENT);
      if (cmd.endsWith(' \\')) cmd = cmd.slice(0, -2);
      if (/(^| )# /.test(cmd) || cmd.endsWith(' #')) inComment = true;
      if (inComment && part.startsWith('# ')) part = part.slice(2);
      cmd = `${cmd} ${part}`;
    }
    fixes.push(norm(cmd));
  }
  return fixes;
}

for (const width of [80, 100, 200]) {
  test(`table at ${width} columns: fitted, one summary line per host, every word of every finding and fix`, () => {
    const text = renderTable(report, { width });
    const lines = text.split('\n');
    for (const l of lines) assert.ok([...l].length <= width, `${[...l].length} > ${width}: ${l}`);
    const header = lines.findIndex((l) => l.startsWith('STATUS'));
    const rows = lines.slice(header + 1, lines.indexOf('', header));
    assert.equal(rows.length, hosts.length, 'one summary line per host');
    for (const h of hosts) assert.ok(rows.some((r) => r.split(/\s+/)[1] === h.host.name || r.includes(h.host.name.slice(0, 10))), h.host.name);
    for (const r of rows) assert.match(r, /^(FAIL|WARN|UNKNOWN|PASS) /);

    const flat = norm(text);
    const fixes = new Set(pastedFixes(text));
    let findings = 0;
    for (const h of hosts) {
      if (h.status !== 'fail' && h.status !== 'warn') continue;
      for (const k of h.checks) {
        if (k.status === 'pass' || k.status === 'skipped') continue;
        assert.ok(flat.includes(norm(inWords(plainSentence(k, h.host), new Date(NOW)))), `${width}: finding of ${k.id} on ${h.host.name} is not whole`);
        findings++;
        if ((k.status === 'fail' || k.status === 'warn') && k.remediation) assert.ok(fixes.has(norm(k.remediation)), `${width}: the fix of ${k.id} does not paste back:\n${k.remediation}\n`);
      }
    }
    assert.ok(findings > ALL_CHECKS.length, `only ${findings} findings rendered`);
    assert.doesNotMatch(text, /\bPT\d+[HM]\b|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'durations and times in words');
    assert.doesNotMatch(text, /\u001b\[/, 'no colour unless asked');
  });
}

test('statuses are spelled FAIL WARN UNKNOWN PASS SKIP; colour only when asked', () => {
  const text = renderTable(report, { width: 100, all: true, colour: true });
  for (const w of ['FAIL', 'WARN', 'UNKNOWN', 'PASS', 'SKIP']) assert.match(text.replace(/\u001b\[\d+m/g, ''), new RegExp(`\\b${w}\\b`), w);
  assert.doesNotMatch(text, /\?\?\?\?|\bskip\b/);
  assert.match(text, /\u001b\[31mFAIL\u001b\[0m/);
});

test('a command breaks only between its arguments; an argument longer than the line continues after a bare \\', () => {
  const cmd = `az network private-endpoint create --resource-group rg --private-connection-resource-id /subscriptions/${'1'.repeat(36)}/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1 --group-id amlworkspace`;
  const lines = wrap(cmd, 60, 'fix: ', 5);
  for (const l of lines) assert.ok(l.length <= 60, l);
  assert.ok(lines.slice(0, -1).every((l) => l.endsWith('\\')));
  assert.equal(wrap("Give TensorBoard more memory, fewer runs per logdir, or a larger size for the user's workload", 40, '', 2).join('\n').includes('\\'), false, 'prose has no continuations');
});

test('width: the terminal\'s, else $COLUMNS, else 100; the renderer takes host reports one at a time', () => {
  assert.equal(terminalWidth(132, { COLUMNS: '90' }), 132);
  assert.equal(terminalWidth(undefined, { COLUMNS: '90' }), 90);
  assert.equal(terminalWidth(undefined, {}), 100);
  const t = new TableRenderer({ width: 100 }, new Date(NOW));
  for (const h of report.hosts) t.add(h);
  assert.equal(t.finish([], report.stats, report.coverage), renderTable(report, { width: 100 }));
  assert.equal(inWords('in the last PT1H (newest 2026-11-26T05:42:10Z)', new Date(NOW)), 'in the last hour (newest 05:42 UTC)');
});
