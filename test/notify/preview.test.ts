import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewNotifications } from '../../shared/notify/preview';
import { host, notice } from './fixtures';

test('preview: one rendered email per recipient (owners, else fallback) and one card', () => {
  const notices = [
    notice(host('ci-1', ['a@contoso.com']), 'regression', 'script.port-in-use'),
    notice(host('ci-2', ['a@contoso.com', 'b@contoso.com']), 'regression', 'network.tensorboard-port'),
    notice(host('ci-3', []), 'recovery', 'script.port-in-use'),
  ];
  const p = previewNotifications('s-1', notices, { alertFallbackTo: ['ops@contoso.com'] });
  assert.deepEqual(p.emails.map((e) => [e.to, e.digest.hosts.length]), [['a@contoso.com', 2], ['b@contoso.com', 1], ['ops@contoso.com', 1]]);
  assert.equal(p.emails[0].email.subject, 'tbmon: 2 TensorBoard hosts failing — worst: TensorBoard on ci-2 is unreachable: a network security group blocks port 6006');
  assert.equal(p.teams?.shownHosts, 3);
  assert.equal(previewNotifications('s-1', [], { alertFallbackTo: [] }).teams, null);
});
