// Runs every engine case (engine-cases.ts): query + tiny tables → expected rows, or the expected error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQuery } from '../../sandbox/kql/engine';
import { KqlError } from '../../sandbox/kql/errors';
import { type Table, fromJson, toDatetime, toJson } from '../../sandbox/kql/values';
import { CASES, NOW, TABLES } from './engine-cases';

const tables = new Map<string, Table>(Object.entries(TABLES).map(([name, t]) => [
  name,
  { columns: t.columns, rows: t.rows.map((r) => r.map((v, i) => fromJson(v, t.columns[i].type))) },
]));
const target = { now: toDatetime(NOW) as number, resolveTable: (name: string) => tables.get(name) };

function asJson(t: Table): unknown[][] {
  return t.rows.map((r) => t.columns.map((c, i) => toJson(r[i], c.type)));
}

const canonical = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

test('there are at least 120 engine cases with distinct names', () => {
  assert.ok(CASES.length >= 120, `only ${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

for (const c of CASES) {
  test(`engine: ${c.name}`, () => {
    if (c.error) {
      assert.throws(() => runQuery(c.query, target), (e: unknown) => {
        assert.ok(e instanceof KqlError, `not a KqlError: ${String(e)}`);
        assert.equal(e.status, 400);
        assert.match(e.message, c.error as RegExp);
        return true;
      });
      return;
    }
    const result = runQuery(c.query, target);
    if (c.columns) assert.deepEqual(result.columns.map((col) => `${col.name}:${col.type}`), c.columns, 'columns');
    if (c.rows) {
      const rows = asJson(result);
      if (c.unordered) assert.deepEqual(canonical(rows), canonical(c.rows));
      else assert.deepEqual(rows, c.rows);
    }
  });
}
