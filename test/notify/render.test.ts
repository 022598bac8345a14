import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as ACT from 'adaptivecards';
import { buildDigest } from '../../shared/notify/digest';
import { renderEmail } from '../../shared/notify/email';
import { hostLink } from '../../shared/notify/links';
import { renderTeamsCard, TEAMS_MAX_BYTES, type RenderedCard } from '../../shared/notify/teams';
import { host, notice, SUB } from './fixtures';

const AC = createRequire(__filename)('adaptivecards/dist/adaptivecards.min.js') as typeof ACT;

/** Parses and validates a card with Microsoft's adaptivecards library; returns every parse/validation event. */
function cardProblems(card: RenderedCard): string[] {
  const env = card.envelope;
  assert.equal(env.type, 'message');
  assert.equal(env.attachments.length, 1);
  assert.equal(env.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(env.attachments[0].content, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const v of ac.validateProperties().validationEvents) problems.push(v.message);
  return problems;
}

const evil = '<script>alert(1)</script>&"\'';

test('email: subject, per-host checks with evidence, fix and studio link; everything from Azure escaped', () => {
  const h = host('ci-gpu-1', ['o@contoso.com']);
  const vm = host('vm-tb', ['o@contoso.com'], { kind: 'vm', workspace: null, id: `/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-tb` });
  const d = buildDigest('o@contoso.com', 's-1', [
    notice(h, 'regression', 'network.tensorboard-port', {
      summary: `Inbound TCP 6006 denied by nsg-ml/deny-all-in ${evil}`, evidence: { rule: evil, priority: 200 },
      remediation: 'az network nsg rule create -g rg-ml --nsg-name nsg-ml -n allow-tb --priority 190 --destination-port-ranges 6006',
    }),
    notice(vm, 'recovery', 'script.port-in-use'),
    notice(host('old-ci'), 'gone', undefined),
  ]);
  const r = renderEmail(d, { tenantId: 'tid-1' });
  assert.equal(r.subject, 'tbmon: 1 TensorBoard host regressed — worst: ci-gpu-1 (network.tensorboard-port); 1 recovered, 1 gone');
  assert.ok(!r.html.includes('<script>'), 'no raw markup from Azure in the HTML');
  assert.ok(r.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;'));
  assert.ok(r.html.includes('az network nsg rule create -g rg-ml'));
  assert.ok(r.html.includes('&quot;priority&quot;: 200'), 'evidence shown');
  const studio = `https://ml.azure.com/compute/ci-gpu-1/details?wsid=/subscriptions/${SUB}/resourcegroups/rg-ml/workspaces/ws-1&tid=tid-1`;
  assert.ok(r.html.includes(`href="${studio.replace(/&/g, '&amp;')}"`));
  assert.ok(r.html.includes(`https://portal.azure.com/#@tid-1/resource/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-tb`));
  assert.match(r.html, /Recovered<\/h2>.*vm-tb.*script\.port-in-use/s);
  assert.match(r.html, /Gone<\/h2>.*old-ci/s);
  assert.ok(r.plainText.includes(studio));
  assert.ok(r.plainText.includes(evil), 'plain text keeps the text as it is');
  assert.match(r.plainText, /Fix:\n\s+az network nsg rule create/);
});

test('email: large evidence is cut', () => {
  const d = buildDigest('o@x.io', 's', [notice(host('a'), 'regression', 'resource.memory-pressure', { evidence: { rows: 'x'.repeat(10_000) } })]);
  const r = renderEmail(d, { maxEvidenceChars: 500 });
  assert.ok(r.plainText.length < 3000);
  assert.match(r.plainText, /more characters/);
});

test('links: studio for computes, portal for VMs', () => {
  assert.equal(hostLink(host('ci-1')).url, `https://ml.azure.com/compute/ci-1/details?wsid=/subscriptions/${SUB}/resourcegroups/rg-ml/workspaces/ws-1`);
  assert.equal(hostLink(host('v', [], { kind: 'vm', workspace: null, id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v' })).url,
    'https://portal.azure.com/#@/resource/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v');
});

test('Teams card: grouped by status, Action.OpenUrl links, valid for the adaptivecards library', () => {
  const d = buildDigest('teams:default', 's-1', [
    notice(host('ci-gpu-1'), 'regression', 'network.tensorboard-port', { summary: `denied ${evil} [click](https://evil.example)` }),
    notice(host('ci-b'), 'regression', 'resource.cpu-saturation', { to: 'warn' }),
    notice(host('ci-c'), 'recovery', 'script.port-in-use'),
    notice(host('ci-d'), 'gone', undefined),
  ]);
  const card = renderTeamsCard(d);
  assert.deepEqual(cardProblems(card), []);
  const json = JSON.stringify(card.envelope);
  for (const g of ['Failing (1)', 'Warning (1)', 'Recovered (1)', 'Gone (1)']) assert.ok(json.includes(g), g);
  assert.ok(json.includes('"type":"Action.OpenUrl"'));
  assert.ok(json.includes('https://ml.azure.com/compute/ci-gpu-1/details'));
  assert.ok(!json.includes('[click](https'), 'a markdown link from Azure text is neutralised');
  assert.equal(card.omittedHosts, 0);
});

test('Teams card with 500 hosts stays under 28,000 bytes of UTF-8 JSON and says how many it left out', () => {
  const notices = [];
  for (let i = 0; i < 500; i++) {
    const h = host(`ci-ünïcødé-${String(i).padStart(3, '0')}`);
    notices.push(notice(h, i % 5 === 4 ? 'recovery' : 'regression', 'network.tensorboard-port', { summary: `Inbound TCP 6006 from VirtualNetwork is denied by nsg-ml/deny-all-in (priority 200) — 端口被拒绝 ${i}` }));
  }
  const d = buildDigest('teams:default', 's-1', notices);
  for (const maxBytes of [undefined, 27_999]) {
    const card = renderTeamsCard(d, { maxBytes });
    const bytes = Buffer.byteLength(JSON.stringify(card.envelope), 'utf8');
    assert.equal(bytes, card.bytes);
    assert.ok(bytes < TEAMS_MAX_BYTES, `${bytes} bytes`);
    assert.ok(card.shownHosts > 20, `shows ${card.shownHosts}`);
    assert.equal(card.shownHosts + card.omittedHosts, 500);
    assert.match(JSON.stringify(card.envelope), new RegExp(`and ${card.omittedHosts} more hosts \\(`));
    assert.deepEqual(cardProblems(card), []);
  }
});

test('email: past maxDetailedHosts, regressed hosts get one line each', () => {
  const notices = Array.from({ length: 5 }, (_, i) => notice(host(`ci-${i}`), 'regression', 'script.port-in-use', { remediation: `fix-${i}` }));
  const r = renderEmail(buildDigest('o@x.io', 's', notices), { maxDetailedHosts: 2 });
  assert.equal((r.plainText.match(/Fix:/g) ?? []).length, 2);
  assert.match(r.plainText, /== More regressed hosts \(3\)\n\s+- ci-\d: script\.port-in-use \(pass → fail\)/);
  assert.match(r.html, /More regressed hosts \(3\)<\/h2>/);
  assert.equal((r.html.match(/fix-\d/g) ?? []).length, 2);
});
