import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderCatalogue } from '../../shared/checks/catalogue';
import { ALL_CHECKS } from '../../shared/checks/registry';

test('docs/checks.md is the catalogue generated from the registry (run npm run docs:checks)', () => {
  const onDisk = readFileSync(path.join(__dirname, '..', '..', 'docs', 'checks.md'), 'utf8');
  assert.equal(onDisk, renderCatalogue());
});

test('the catalogue lists every registered check once', () => {
  const doc = renderCatalogue();
  for (const c of ALL_CHECKS) assert.equal(doc.split(`\`${c.id}\``).length - 1, 1, c.id);
});
