// script.not-relaunched as a table: the instance's last operation (REST ComputeInstanceLastOperation), its startup
// script or custom application, and the launch query's read-back (newest TensorBoard line, newest Syslog row since
// 7 days before the start) → status. Near misses: a Start that failed or is in progress, a Stop, TensorBoard that
// came back a second after the start, rows only before the start, a read-back that stops short of 7 days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notRelaunchedCheck } from '../../../shared/checks/script/not-relaunched';
import type { RestartProbe } from '../../../shared/evidence/log-types';
import type { CheckStatus, Gathered, HostFacts, HostRecord } from '../../../shared/model';
import type { LaunchLogEvidence } from '../../../shared/evidence/log-types';
import { checkTable } from '../../support/check-table';
import { evidence, host, NOW } from '../../support/evidence';

const T = '2026-11-26T05:20:00.000Z';
const start = (over: Partial<NonNullable<HostFacts['lastOperation']>> = {}): HostFacts['lastOperation'] =>
  ({ operationName: 'Start', operationStatus: 'Succeeded', operationTrigger: 'Schedule', operationTime: '2026-11-26T05:20:00.0000000+00:00', ...over });
const probe = (over: Partial<RestartProbe> = {}): RestartProbe => ({ readFrom: '2026-11-19T05:20:00.000Z', lastTensorBoardLine: '2026-11-25T19:59:00.000Z', lastSyslogRow: '2026-11-26T05:21:04.000Z', ...over });
const launch = (restart: RestartProbe | undefined): Gathered<LaunchLogEvidence> =>
  ({ ok: true, value: { asOf: NOW, table: 'Syslog', tag: 'tensorboard', rows: 0, newest: [], ...(restart ? { restart } : {}) } });

interface Case {
  name: string;
  facts?: Partial<HostFacts>;
  launch?: Gathered<LaunchLogEvidence>;
  kind?: HostRecord['kind'];
  want: CheckStatus;
}

const CASES: Case[] = [
  { name: 'scheduled start, TensorBoard ran yesterday, the host logs, no TensorBoard since → fail', facts: { lastOperation: start() }, launch: launch(probe()), want: 'fail' },
  { name: 'a user Restart, same', facts: { lastOperation: start({ operationName: 'Restart', operationTrigger: 'User' }) }, launch: launch(probe()), want: 'fail' },
  { name: 'Create: a creation script ran once, then nothing', facts: { lastOperation: start({ operationName: 'Create', operationTrigger: 'User' }) }, launch: launch(probe()), want: 'fail' },
  { name: 'TensorBoard came back a second after the start → pass', facts: { lastOperation: start() }, launch: launch(probe({ lastTensorBoardLine: '2026-11-26T05:20:01.000Z' })), want: 'pass' },
  { name: 'near-miss: the newest TensorBoard line is the start\'s own second → not after it', facts: { lastOperation: start() }, launch: launch(probe({ lastTensorBoardLine: T })), want: 'fail' },
  { name: 'a startup script runs on every start → pass', facts: { lastOperation: start(), startupScript: true }, launch: launch(probe()), want: 'pass' },
  { name: 'a custom application runs on every start → pass', facts: { lastOperation: start(), customApplication: true }, launch: launch(probe()), want: 'pass' },
  { name: 'nothing from the host after the start → unknown (collection unproven)', facts: { lastOperation: start() }, launch: launch(probe({ lastSyslogRow: '2026-11-25T19:59:00.000Z' })), want: 'unknown' },
  { name: 'no Syslog row at all → unknown', facts: { lastOperation: start() }, launch: launch(probe({ lastSyslogRow: null, lastTensorBoardLine: null })), want: 'unknown' },
  { name: 'TensorBoard did not run in the 7 days before → pass (nothing to relaunch)', facts: { lastOperation: start() }, launch: launch(probe({ lastTensorBoardLine: null })), want: 'pass' },
  { name: 'near-miss: TensorBoard ran 8 days before → pass', facts: { lastOperation: start() }, launch: launch(probe({ lastTensorBoardLine: '2026-11-18T05:00:00.000Z', readFrom: '2026-11-18T00:00:00.000Z' })), want: 'pass' },
  { name: 'read back only 2 days and no TensorBoard line → unknown', facts: { lastOperation: start() }, launch: launch(probe({ lastTensorBoardLine: null, readFrom: '2026-11-24T05:20:00.000Z' })), want: 'unknown' },
  { name: 'the launch log unreadable → unknown', facts: { lastOperation: start() }, launch: { ok: false, reason: 'the launch query failed (HTTP 500)' }, want: 'unknown' },
  { name: 'the launch query did not read back → unknown', facts: { lastOperation: start() }, launch: launch(undefined), want: 'unknown' },
  { name: 'near-miss: a Start still in progress → pass (compute-state judges it)', facts: { lastOperation: start({ operationStatus: 'InProgress' }) }, launch: launch(probe()), want: 'pass' },
  { name: 'near-miss: a failed Start → pass here (compute-state judges it)', facts: { lastOperation: start({ operationStatus: 'StartFailed' }) }, launch: launch(probe()), want: 'pass' },
  { name: 'stopped by idle shutdown → skipped', facts: { lastOperation: start({ operationName: 'Stop', operationTrigger: 'IdleShutdown' }), state: 'Stopped' }, launch: launch(probe()), want: 'skipped' },
  { name: 'a start older than 7 days → pass (not-running judges now)', facts: { lastOperation: start({ operationTime: '2026-09-01T08:00:00.0000000+00:00' }) }, launch: launch(undefined), want: 'pass' },
  { name: 'an unreadable operation time → pass, never a guessed restart', facts: { lastOperation: start({ operationTime: 'yesterday' }) }, launch: launch(probe()), want: 'pass' },
  { name: 'no last operation at all → unknown', facts: { lastOperation: null }, launch: launch(probe()), want: 'unknown' },
];

checkTable(notRelaunchedCheck, CASES.map((c) => ({
  name: `script.not-relaunched: ${c.name}`,
  evidence: evidence(host({ ...(c.kind ? { kind: c.kind } : {}), facts: c.facts }), c.launch ? { launch: c.launch } : {}),
  expect: c.want,
  then: (r) => {
    if (r.status !== 'fail') return;
    assert.match(r.summary, /did not come back after the instance's (Start|Restart|Create)/);
    assert.match(r.remediation ?? '', /startup script/);
    assert.match(r.remediation ?? '', /in the background/);
  },
})));

test('script.not-relaunched applies to compute instances only', () => {
  assert.deepEqual([...notRelaunchedCheck.appliesTo], ['compute-instance']);
});
