// The deploy scripts as a person runs them (subprocesses): `grant.mjs` prints (with --print) exactly the az commands
// it runs, refuses bad input naming it, and the postprovision hook prints the management-group grant it cannot do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const PRINCIPAL = '11111111-2222-3333-4444-555555555555';
const SUB_A = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
const SUB_B = '1B2C3D4E-0002-4A5B-8C9D-0E1F2A3B4C02';
const LA_READER = '73c42c96-874c-492b-b04d-ab87d138a893';

function node(script: string, args: string[], env: Record<string, string> = {}) {
  // PATH without az or azd: the scripts must not need them for what is tested here.
  return spawnSync(process.execPath, [path.join(root, script), ...args], { cwd: root, encoding: 'utf8', env: { PATH: path.dirname(process.execPath), ...env } });
}

test('grant --print: one role assignment per subscription, Log Analytics Reader, for the identity', () => {
  const r = node('infra/scripts/grant.mjs', ['--print', '--principal-id', PRINCIPAL, SUB_A, SUB_B]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [SUB_A, SUB_B.toLowerCase()].map((s) =>
    `az role assignment create --assignee-object-id ${PRINCIPAL} --assignee-principal-type ServicePrincipal --role ${LA_READER} --scope /subscriptions/${s}`));
});

test('grant --print --management-group: one assignment at the group; the identity from TBMON_IDENTITY_PRINCIPAL_ID', () => {
  const r = node('infra/scripts/grant.mjs', ['--print', '--management-group', 'ml-platform'], { TBMON_IDENTITY_PRINCIPAL_ID: PRINCIPAL });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `az role assignment create --assignee-object-id ${PRINCIPAL} --assignee-principal-type ServicePrincipal --role ${LA_READER} --scope /providers/Microsoft.Management/managementGroups/ml-platform`);
});

test('grant refuses bad input with exit 2, naming it, and runs nothing', () => {
  const cases: [string[], RegExp][] = [
    [['--print', '--principal-id', PRINCIPAL, 'not-a-guid'], /"not-a-guid" is not a subscription id/],
    [['--print', '--principal-id', 'bob', SUB_A], /--principal-id "bob" is not an object id/],
    [['--print', '--principal-id', PRINCIPAL], /name at least one subscription id/],
    [['--print', '--principal-id', PRINCIPAL, '--management-group', 'a/b'], /--management-group "a\/b" is not a management group id/],
    [['--print', '--principal-id', PRINCIPAL, '--management-group', 'mg', SUB_A], /not both/],
    [['--print', SUB_A], /the identity is unknown: pass --principal-id/],
    [['--print', '--frobnicate', SUB_A], /unknown option "--frobnicate"/],
  ];
  for (const [args, message] of cases) {
    const r = node('infra/scripts/grant.mjs', args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '', 'nothing printed to run');
  }
});

test('postprovision with a management group scope prints the grant to run (azd cannot grant there)', () => {
  const r = node('infra/scripts/azd-hooks.mjs', ['postprovision'], { TBMON_SCOPE: 'managementGroup:ml-platform' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /TBMON_SCOPE names management group ml-platform/);
  assert.match(r.stdout, /^tbmon: {3}node infra\/scripts\/grant\.mjs --management-group ml-platform$/m);
  const other = node('infra/scripts/azd-hooks.mjs', ['postprovision'], { TBMON_SCOPE: 'all' });
  assert.equal(other.status, 0);
  assert.equal(other.stdout, '');
  assert.equal(node('infra/scripts/azd-hooks.mjs', ['sideways']).status, 2);
});
