// kqlString and friends: every hostile value stays exactly one string literal whose decoded value is the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kqlDatetime, kqlDynamicList, kqlIdentifier, kqlInList, kqlString, kqlTimespan } from '../../shared/kql';
import { parseLiterals } from './kusto-tree';
import { HOSTILE_NAMES } from './hostile-names';


test('kqlString: each hostile value parses as one string literal that decodes to itself', () => {
  for (const name of HOSTILE_NAMES) {
    const q = `print v = ${kqlString(name)}`;
    const parsed = parseLiterals(q);
    assert.deepEqual(parsed.syntaxErrors, [], `syntax errors for ${JSON.stringify(name)}`);
    assert.deepEqual(parsed.strings, [name], `literal for ${JSON.stringify(name)}`);
  }
});

test('kqlString: the literal has no raw line breaks', () => {
  for (const name of HOSTILE_NAMES) assert.doesNotMatch(kqlString(name), /[\r\n\u2028\u2029]/);
});

test('kqlDynamicList and kqlInList keep one literal per element', () => {
  const parsed = parseLiterals(`print d = ${kqlDynamicList(HOSTILE_NAMES)}`);
  assert.deepEqual(parsed.syntaxErrors, []);
  assert.deepEqual(parsed.strings, [...HOSTILE_NAMES]);
  const inList = parseLiterals(`print b = "x" in~ ${kqlInList(HOSTILE_NAMES)}`);
  assert.deepEqual(inList.syntaxErrors, []);
  assert.deepEqual(inList.strings, ['x', ...HOSTILE_NAMES]);
  assert.equal(kqlDynamicList([]), 'dynamic([])');
  assert.throws(() => kqlInList([]), /at least one/);
});

test('kqlTimespan picks the largest exact unit', () => {
  const cases: [number, string][] = [[3_600_000, '1h'], [5_400_000, '90m'], [86_400_000, '1d'], [90_000, '90s'], [1_500, '1500ms'], [0, '0s']];
  for (const [ms, lit] of cases) assert.equal(kqlTimespan(ms), lit);
  assert.throws(() => kqlTimespan(-1));
  assert.throws(() => kqlTimespan(1.5));
});

test('kqlDatetime and kqlIdentifier', () => {
  assert.equal(kqlDatetime(new Date('2026-11-26T06:00:00Z')), 'datetime(2026-11-26T06:00:00.000Z)');
  assert.equal(kqlIdentifier('TensorBoardLog_CL'), 'TensorBoardLog_CL');
  for (const bad of ['Syslog | take 1', 'a-b', '', '1abc', "x'"]) assert.throws(() => kqlIdentifier(bad));
});
