// unsupportedBySandbox: what the engine would refuse, found statically — cross-checked against the engine cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsupportedBySandbox } from '../../sandbox/kql/coverage';
import { CASES } from './engine-cases';

test('every query the engine cases evaluate is fully supported', () => {
  for (const c of CASES.filter((x) => !x.error)) assert.deepEqual(unsupportedBySandbox(c.query), [], c.query);
});

test('every engine case refused as unsupported is found statically', () => {
  for (const c of CASES.filter((x) => x.name.startsWith('unsupported'))) assert.notDeepEqual(unsupportedBySandbox(c.query), [], c.query);
});

test('names operators, functions, join kinds and statements, also in branches no data reaches', () => {
  assert.deepEqual(unsupportedBySandbox('union isfuzzy=true (Perf | extend x = percentile_x(a)), (Syslog | evaluate bag_unpack(d))').sort(),
    ["function 'bag_unpack()'", "function 'percentile_x()'", "operator 'evaluate'"]);
  assert.deepEqual(unsupportedBySandbox('L | join kind=fullouter R on k | summarize percentile(v, 50), count() | render timechart').sort(),
    ["function 'percentile()'", 'join kind=fullouter', "operator 'render'"]);
  assert.deepEqual(unsupportedBySandbox("T | parse x with a '-' b | project-keep a | lookup R on k").sort(),
    ["operator 'lookup'", "operator 'parse'", "operator 'project-keep'"]);
  assert.deepEqual(unsupportedBySandbox('let f = (x: long) { x }; T | where toscalar(T | count) > 1'), ['user-defined functions']);
  assert.deepEqual(unsupportedBySandbox('set notruncation; T | take 1'), ["statement 'set'"]);
});
