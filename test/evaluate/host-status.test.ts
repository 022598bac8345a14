// A host's status is the worst of the checks that count (DESIGN.md § Contracts): fail > warn > unknown > pass, skipped
// and suppressed checks left out. With nothing left to count, nothing was judged: the host is unknown, never a pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostStatus, type CheckResult, type CheckStatus, type HostStatus } from '../../shared/model';

const check = (status: CheckStatus, suppressed = false): CheckResult => ({
  id: `x.${status}${suppressed ? '-suppressed' : ''}`, class: 'resource', severity: 'high', status, summary: status, ...(suppressed ? { suppressed, suppressReason: 'known' } : {}),
});

test('host status: the worst counted check; nothing counted is unknown', () => {
  const cases: [name: string, checks: CheckResult[], want: HostStatus][] = [
    ['one pass', [check('pass')], 'pass'],
    ['pass and skipped', [check('pass'), check('skipped')], 'pass'],
    ['unknown beats pass', [check('pass'), check('unknown')], 'unknown'],
    ['warn beats unknown', [check('unknown'), check('warn')], 'warn'],
    ['fail beats warn', [check('warn'), check('fail')], 'fail'],
    ['a suppressed fail does not count', [check('pass'), check('fail', true)], 'pass'],
    ['every check skipped (a stopped host)', [check('skipped'), check('skipped')], 'unknown'],
    ['skipped and suppressed only', [check('skipped'), check('fail', true)], 'unknown'],
    ['no checks at all', [], 'unknown'],
  ];
  for (const [name, checks, want] of cases) assert.equal(hostStatus(checks), want, name);
});
