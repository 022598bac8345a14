import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownersFromTags, splitAddresses, validAddresses } from '../../shared/discovery/owners';
import { recipientsFor } from '../../shared/notify/recipients';

const OWNER_TAGS = ['tensorboard-owner', 'owner'];

test('owner tags win in TBMON_OWNER_TAGS order, keys case-insensitive', () => {
  const cases: [Record<string, string>, string | null, string[]][] = [
    [{ owner: 'b@contoso.com', 'tensorboard-owner': 'a@contoso.com' }, 'c@contoso.com', ['a@contoso.com']],
    [{ Owner: 'B@Contoso.com' }, 'c@contoso.com', ['b@contoso.com']],
    [{ 'tensorboard-owner': 'not an address', owner: 'b@contoso.com' }, null, ['b@contoso.com']],
    [{ 'tensorboard-owner': 'a@contoso.com; Jane <j@contoso.com>, a@contoso.com' }, null, ['a@contoso.com', 'j@contoso.com']],
    [{}, 'creator@contoso.com', ['creator@contoso.com']],
    [{}, 'live.com#creator', []],
    [{ 'tensorboard-owner': 'team-ml' }, null, []],
  ];
  for (const [tags, createdBy, want] of cases) {
    assert.deepEqual(ownersFromTags(tags, OWNER_TAGS, createdBy, 'host x'), want, JSON.stringify({ tags, createdBy }));
  }
});

test('recipientsFor: owners, else the fallback list; invalid skipped and logged without the value', () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const settings = { alertFallbackTo: ['ops@contoso.com'] };
  assert.deepEqual(recipientsFor({ name: 'ci-1', owners: ['A@Contoso.com', 'secret-token-value'] }, settings, log), ['a@contoso.com']);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /ci-1/);
  assert.doesNotMatch(logs[0], /secret-token-value/);
  assert.deepEqual(recipientsFor({ name: 'ci-2', owners: [] }, settings, log), ['ops@contoso.com']);
  assert.deepEqual(recipientsFor({ name: 'ci-3', owners: ['nobody'] }, settings, log), ['ops@contoso.com']);
  assert.deepEqual(recipientsFor({ name: 'ci-4', owners: [] }, { alertFallbackTo: [] }, log), []);
});

test('splitAddresses and validAddresses', () => {
  assert.deepEqual(splitAddresses(' a@x.io ,b@x.io;  c@x.io '), ['a@x.io', 'b@x.io', 'c@x.io']);
  assert.deepEqual(validAddresses(['a@x.io', 'A@X.IO', '', 'x@y'], 'w'), ['a@x.io']);
});

test('an address with a control character (C0, DEL, C1) is not an address: skipped, the next owner tag or the creator wins', () => {
  for (const bad of ['a\u0001b@contoso.com', 'ab@con\u007ftoso.com', 'a\u0085b@contoso.com', 'a\u0000@contoso.com']) {
    const logged: string[] = [];
    assert.deepEqual(validAddresses([bad, 'ok@contoso.com'], 'host ci-1', (m) => logged.push(m)), ['ok@contoso.com'], JSON.stringify(bad));
    assert.equal(logged.length, 1);
    assert.deepEqual(ownersFromTags({ 'tensorboard-owner': bad }, OWNER_TAGS, 'creator@contoso.com', 'host ci-1'), ['creator@contoso.com']);
  }
});
