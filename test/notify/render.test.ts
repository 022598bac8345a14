import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as ACT from 'adaptivecards';
import { buildDigest } from '../../shared/notify/digest';
import { renderEmail } from '../../shared/notify/email';
import { hostLink } from '../../shared/notify/links';
import { renderTeamsCard, TEAMS_MAX_BYTES, type RenderedCard } from '../../shared/notify/teams';
import { host, notice, SUB } from './fixtures';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { loadSettings } from '../../shared/config';
import type { Host, HostRecord } from '../../shared/model';
import type { Notice } from '../../shared/notices';
import { hostAnchor } from '../../shared/notify/words';

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

const STATUS = 'https://func-tbmon.azurewebsites.net/api/status';

/** A regression notice carrying the real outcome of a check's own example (its sentence, fix and evidence). */
function realNotice(h: Host, checkId: string, over: Partial<Notice> = {}): Notice {
  const def = ALL_CHECKS.find((c) => c.id === checkId)!;
  const record = { ...h, tags: {}, facts: { vmSize: null, state: 'Running', provisioningState: 'Succeeded', errors: null, lastOperation: null, enableNodePublicIp: true, subnetId: null, nicIds: [], computerName: null, workspaceId: null } };
  const o = def.examples(record as HostRecord, loadSettings({})).fail![0];
  const base = notice(h, 'regression', checkId, { remediation: o.remediation });
  return { ...base, check: { id: checkId, class: def.class, severity: def.severity, ...o }, ...over };
}

test('email: the subject says what broke, where and that it is new — no check id; the cause, fix, since, links and silencing follow; text from Azure escaped', () => {
  const h = host('ci-gpu-1', ['o@contoso.com']);
  const vm = host('vm-tb', ['o@contoso.com'], { kind: 'vm', workspace: null, id: `/subscriptions/${SUB}/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm-tb` });
  const port = realNotice(h, 'network.tensorboard-port', { repeat: 'new', observedAt: '2026-11-26T05:45:00Z' });
  const d = buildDigest('o@contoso.com', '20261126T054500Z-9f3a1c', [
    port,
    notice(vm, 'recovery', 'script.port-in-use'),
    notice(host('old-ci'), 'gone', undefined),
  ]);
  const r = renderEmail(d, { tenantId: 'tid-1', statusUrl: STATUS });
  assert.equal(r.subject, 'tbmon: new — TensorBoard on ci-gpu-1 is unreachable: NSG nsg-ml rule deny-tensorboard blocks port 6006 from the VNet (also 1 recovered, 1 gone)');
  for (const id of ALL_CHECKS.map((c) => c.id)) assert.ok(!r.subject.includes(id), `no check id in the subject (${id})`);
  for (const text of [r.html, r.plainText]) {
    assert.ok(text.includes('az network nsg rule create'), 'the fix');
    assert.ok(text.includes('Failing since'), 'since');
    assert.ok(text.includes('26 Nov 2026 05:45 UTC'), 'the first sweep of the failing run');
    assert.ok(text.includes(`tbmon-suppress=network.tensorboard-port:2026-12-10`), 'the exact suppress value');
    assert.ok(!/"(denied|decidedBy|levels)"|&quot;(denied|decidedBy)&quot;/.test(text), 'no evidence JSON');
    assert.ok(!text.includes('9f3a1c'), 'no sweep id');
    assert.ok(text.includes('/api/launcher'), 'how to get the launcher');
  }
  const anchor = hostAnchor(h);
  assert.ok(r.html.includes(`href="${STATUS}?host=${anchor}#${anchor}"`), 'a link to the host\'s section of the status page');
  assert.ok(!/code=|[?&]sig=/.test(r.html + r.plainText), 'no key in any link');
  const studio = `https://ml.azure.com/compute/ci-gpu-1/details?wsid=/subscriptions/${SUB}/resourcegroups/rg-ml/workspaces/ws-1&tid=tid-1`;
  assert.ok(r.html.includes(`href="${studio.replace(/&/g, '&amp;')}"`));
  assert.ok(r.html.includes('https://ci-gpu-1-6006.eastus2.instances.azureml.ms/'), 'the TensorBoard URL');
  assert.match(r.html, /Fine again<\/h3>.*vm-tb/s);
  assert.match(r.html, /Gone<\/h3>.*old-ci/s);
  const hostile = notice(host(`ci-${'x'}`, [`${evil}@contoso.com`]), 'regression', 'network.tensorboard-port', { remediation: `az ${evil}` });
  const e = renderEmail(buildDigest('o@contoso.com', 's-1', [hostile]));
  assert.ok(!e.html.includes('<script>'), 'no raw markup from Azure in the HTML');
  assert.ok(e.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;'));
});

test('email: "back again" only when the check failed on this host before; neither when tbmon cannot tell', () => {
  const h = host('ci-1', ['o@x.io']);
  const subject = (over: Partial<Notice>) => renderEmail(buildDigest('o@x.io', 's', [realNotice(h, 'resource.vm-size', over)])).subject;
  assert.match(subject({ repeat: 'again' }), /^tbmon: back again — ci-1 is too small/);
  assert.match(subject({ repeat: 'new' }), /^tbmon: new — ci-1 is too small/);
  assert.match(subject({ repeat: undefined, from: 'pass' }), /^tbmon: ci-1 is too small/);
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
  assert.equal((r.plainText.match(/Fix — copy and run:/g) ?? []).length, 2);
  assert.match(r.plainText, /== More failing hosts \(3\)\n- ci-\d: TensorBoard on ci-\d cannot start/);
  assert.match(r.html, /More failing hosts \(3\)<\/h3>/);
  assert.equal((r.html.match(/fix-\d/g) ?? []).length, 2);
});
