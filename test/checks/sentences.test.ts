// Every check's plain sentence, for every status it can give (its `examples`, which are its own rule run on example
// evidence) on every host kind it applies to, plus the outcomes the registry makes (does not apply, stopped, the rule
// threw): one readable sentence, never a check id, `undefined`, `null`, `[object Object]`, raw ARM ids or an
// unexpanded placeholder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS, plainSentence, runChecks } from '../../shared/checks/registry';
import { exampleEvidence } from '../../shared/checks/examples';
import { hostOf, type CheckResult, type CheckStatus, type HostKind } from '../../shared/model';
import { host, settings } from '../support/evidence';

const IDS = ALL_CHECKS.map((c) => c.id);
const KINDS: HostKind[] = ['compute-instance', 'compute-cluster', 'vm'];

function assertReadable(sentence: string, where: string): void {
  assert.ok(sentence.length >= 12 && sentence.length <= 420, `${where}: length ${sentence.length}: ${sentence}`);
  for (const id of IDS) assert.ok(!sentence.includes(id), `${where}: names check id ${id}: ${sentence}`);
  for (const bad of ['undefined', 'null', '[object Object]', 'NaN', '${', '/subscriptions/', '\n']) {
    assert.ok(!sentence.includes(bad), `${where}: contains ${JSON.stringify(bad)}: ${sentence}`);
  }
  assert.doesNotMatch(sentence, /\{\w*\}|<[a-z][\w -]*>|%s|\bPT\d+[HM]\b/, `${where}: an unexpanded placeholder: ${sentence}`);
  assert.match(sentence, /^[A-Za-z“]/, `${where}: starts oddly: ${sentence}`);
  assert.doesNotMatch(sentence, /[.:;,]$/, `${where}: ends with punctuation: ${sentence}`);
}

test('every check gives examples of its statuses on every kind it applies to, and a fix with every fail', () => {
  for (const def of ALL_CHECKS) {
    for (const kind of def.appliesTo) {
      const ex = def.examples(host({ kind }), settings);
      const statuses = Object.keys(ex) as CheckStatus[];
      assert.ok(statuses.some((s) => s === 'fail' || s === 'warn'), `${def.id} on ${kind}: no failing example`);
      assert.ok(statuses.includes('pass'), `${def.id} on ${kind}: no passing example`);
      for (const status of statuses) {
        assert.ok((ex[status] ?? []).length > 0, `${def.id} on ${kind}: no ${status} example`);
        for (const o of ex[status] ?? []) {
          assert.equal(o.status, status, `${def.id} on ${kind}: an example listed as ${status} is ${o.status}: ${o.summary}`);
          if (status === 'fail') assert.ok(o.remediation?.trim(), `${def.id} on ${kind}: a failing example has no fix: ${o.summary}`);
          if (status === 'unknown') assert.ok(o.hint?.trim(), `${def.id} on ${kind}: an unknown example has no hint: ${o.summary}`);
        }
      }
    }
  }
});

test('every check\'s sentence reads as one plain sentence for every status it can give', () => {
  let rendered = 0;
  for (const def of ALL_CHECKS) {
    for (const kind of def.appliesTo) {
      const h = host({ kind });
      for (const [status, outcomes] of Object.entries(def.examples(h, settings))) {
        for (const o of outcomes ?? []) {
          const result: CheckResult = { id: def.id, class: def.class, ...o, severity: o.severity ?? def.severity };
          const s = plainSentence(result, hostOf(h));
          assertReadable(s, `${def.id} ${status} on ${kind}`);
          assert.ok(s.includes(h.name), `${def.id} ${status} on ${kind}: does not name the host: ${s}`);
          rendered++;
        }
      }
    }
  }
  assert.ok(rendered > ALL_CHECKS.length * 3, `only ${rendered} sentences rendered`);
});

test('the registry\'s own outcomes (does not apply, host stopped, the rule threw) get sentences too', () => {
  for (const kind of KINDS) {
    const h = host({ kind });
    const thrown = ALL_CHECKS.map((c) => ({ ...c, run: () => { throw new TypeError('x is undefined'); } }));
    const stopped = host({ kind, facts: { state: kind === 'vm' ? 'PowerState/deallocated' : 'Stopped' } });
    const results = [
      ...runChecks(exampleEvidence(h), settings).map((r) => ({ r, h })),
      ...runChecks(exampleEvidence(h), settings, { checks: thrown }).map((r) => ({ r, h })),
      ...runChecks(exampleEvidence(stopped), settings).map((r) => ({ r, h: stopped })),
    ];
    assert.ok(results.some(({ r }) => r.status === 'skipped') && results.some(({ r }) => r.hint?.includes('bug')), 'the registry made its own outcomes');
    for (const { r, h: hh } of results) assertReadable(plainSentence(r, hostOf(hh)), `${r.id} ${r.status} (registry) on ${kind}`);
  }
});

test('a sentence for a fail names what decided: the NSG rule, the route table, the log line', () => {
  const ci = host({ kind: 'compute-instance', name: 'ci-nsg-deny' });
  const byId = (id: string) => ALL_CHECKS.find((c) => c.id === id)!;
  const say = (id: string, i = 0) => {
    const o = byId(id).examples(ci, settings).fail![i];
    return plainSentence({ id, class: byId(id).class, severity: 'high', ...o }, hostOf(ci));
  };
  assert.equal(say('network.tensorboard-port'), 'TensorBoard on ci-nsg-deny is unreachable: NSG nsg-ml rule deny-tensorboard blocks port 6006 from the VNet');
  assert.match(say('network.aml-inbound'), /the default rule DenyAllInBound of NSG nsg-ml blocks port 44224 from AzureML/);
  assert.match(say('network.route-table'), /route table rt-ml sends all internet traffic through the appliance 10\.0\.250\.4/);
  assert.match(say('script.launch-crash'), /its launch log says “Failed to launch TensorBoard \(exited with 1\)”/);
  assert.match(say('resource.vm-size'), /Standard_D2_v2 has 2 vCPUs and 7 GB/);
});
