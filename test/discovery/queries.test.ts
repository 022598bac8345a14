// The Resource Graph queries discovery sends: valid against Graph's table schemas, built only from escaped literals
// (a hostile host tag or host name stays one literal with its exact value), and within the KQL subset the sandbox's
// engine evaluates (it runs them for real in contoso.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostCandidatesQuery, scopeInventoryQuery } from '../../shared/discovery/queries';
import { validateKql } from '../../sandbox/kql/validate';
import { HOSTILE_NAMES } from '../kql-safety/hostile-names';
import { parseLiterals, tokenShape } from '../kql-safety/kusto-tree';

test('the scope inventory query validates against the Resource Graph schemas', () => {
  assert.deepEqual(validateKql(scopeInventoryQuery(), 'resourceGraph'), []);
  assert.deepEqual(parseLiterals(scopeInventoryQuery()).syntaxErrors, []);
});

test('the host query validates with ordinary and hostile tag keys and names; each stays one literal', () => {
  const ordinary = hostCandidatesQuery({ hostTag: 'tensorboard', name: 'ci-ordinary' });
  assert.deepEqual(validateKql(ordinary, 'resourceGraph'), []);
  const shape = tokenShape(ordinary);
  for (const hostile of HOSTILE_NAMES.filter((n) => n !== '')) {
    const q = hostCandidatesQuery({ hostTag: hostile, name: hostile });
    assert.deepEqual(validateKql(q, 'resourceGraph'), [], JSON.stringify(hostile));
    assert.deepEqual(tokenShape(q), shape, `structure unchanged for ${JSON.stringify(hostile)}`);
    const strings = parseLiterals(q).strings;
    assert.equal(strings.filter((s) => s === hostile).length, 2, `the tag and the name decode to themselves: ${JSON.stringify(hostile)}`);
  }
});

test('only the KQL subset the product may use (issue 3)', () => {
  const allowed = new Set(['union', 'where', 'project', 'extend', 'summarize', 'order', 'by', 'asc', 'let', 'take', 'join', 'mv-expand', 'on', 'kind']);
  for (const q of [scopeInventoryQuery(), hostCandidatesQuery({ hostTag: 'tensorboard', name: 'x' })]) {
    const operators = [...q.matchAll(/\|\s*([a-z-]+)/g)].map((m) => m[1]);
    for (const op of operators) assert.ok(allowed.has(op), `operator ${op}`);
    const functions = new Set([...q.matchAll(/\b([a-z_]+)\(/g)].map((m) => m[1]));
    for (const f of functions) assert.ok(['tostring', 'tolower', 'extract', 'iff', 'isnotempty', 'bag_keys', 'count'].includes(f), `function ${f}`);
  }
});
