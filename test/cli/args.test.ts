import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../cli/args';

test('parses each command', () => {
  assert.equal(parseArgs(['scan']).command, 'scan');
  assert.deepEqual(parseArgs(['check', 'ci-1', '--format', 'json']).target, 'ci-1');
  assert.equal(parseArgs(['check', 'ci-1', '--format=html']).format, 'html');
  assert.equal(parseArgs(['hosts', '--scope', 'all', '--format', 'json']).scope, 'all');
  assert.equal(parseArgs(['demo', '--out', 'x']).outDir, 'x');
  assert.equal(parseArgs([]).command, 'help');
  assert.equal(parseArgs(['scan', '--help']).command, 'help');
  const s = parseArgs(['scan', '--sandbox-url', 'https://127.0.0.1:4430', '--sandbox-ca', '/tmp/ca.pem', '--all', '-q']);
  assert.equal(s.sandboxUrl, 'https://127.0.0.1:4430');
  assert.equal(s.all, true);
  assert.equal(s.quiet, true);
});

const BAD: [string[], RegExp][] = [
  [['frobnicate'], /unknown command/],
  [['scan', '--format', 'xml'], /--format/],
  [['scan', '--format'], /needs a value/],
  [['scan', '--bogus'], /unknown option/],
  [['check'], /exactly one host/],
  [['check', 'a', 'b'], /exactly one host/],
  [['scan', '--formt', 'json'], /unknown option --formt \(did you mean --format\?\)/],
  [['scan', '-x'], /unknown option -x/],
  [['scan', '--output='], /--output needs a value/],
  [['scan', '--scope', '--all'], /--scope needs a value/],
  [['hosts', '--format', 'html'], /table or json/],
  [['scan', 'extra'], /takes no argument/],
  [['scan', '--sandbox', 't.json', '--sandbox-url', 'https://127.0.0.1:1'], /either/],
  [['scan', '--sandbox-url', 'https://127.0.0.1:1'], /go together/],
  [['scan', '--sandbox-url', 'https://management.azure.com', '--sandbox-ca', 'x'], /loopback/],
  [['scan', '--output', 'a', '--output', 'b'], /twice/],
  [['demo', '--sandbox', 'x.json'], /only --out/],
  [['scan', '--out', 'x'], /--out is for demo/],
];
for (const [argv, re] of BAD) {
  test(`usage error: ${argv.join(' ')}`, () => {
    assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message));
    // Every error about a flag names it.
    const flag = argv.find((a) => a.startsWith('-'));
    if (flag) assert.throws(() => parseArgs(argv), (e: unknown) => (e as Error).message.includes(flag.split('=')[0]) || /--sandbox/.test((e as Error).message));
  });
}

test('check takes --scope (the host is looked up in it)', () => {
  assert.equal(parseArgs(['check', 'ci-1', '--scope', 'subscriptions:x']).scope, 'subscriptions:x');
});

test('--version and -V', () => {
  assert.equal(parseArgs(['--version']).command, 'version');
  assert.equal(parseArgs(['scan', '-V']).command, 'version');
});
