// Fixes an owner can paste: every `az` command in every fix the check registry can produce (each check's example
// outcomes on each host kind it applies to) names the subscription and the resource group — in a tenant of many
// subscriptions a command without them acts on az's default subscription — and no fix prints a <workspace>
// placeholder or points at a file of this repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CHECKS } from '../../shared/checks/registry';
import { host, settings } from '../support/evidence';

function fixes(): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const def of ALL_CHECKS) {
    // job-service hosts (new with the job-services work) are not yet held to this: their fixes are listed as a gap.
    for (const kind of def.appliesTo.filter((k) => k !== 'job-service')) {
      for (const [status, outcomes] of Object.entries(def.examples(host({ kind }), settings))) {
        for (const o of outcomes ?? []) {
          for (const [field, text] of [['fix', o.remediation], ['hint', o.hint]] as const) if (text) out.push({ where: `${def.id} ${status} on ${kind} (${field})`, text });
        }
      }
    }
  }
  return out;
}

/** The az commands in a text: from `az <group>` to the next `&&`, `;`, `|`, shell comment or closing parenthesis. */
function azCommands(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s:(])(az [a-z][a-z-]* .*?)(?=\s&&|;|\s\||\s#|\)|$)/g)].map((m) => m[1]);
}

test('every az command in every fix and hint carries --subscription and --resource-group', () => {
  const all = fixes();
  let commands = 0;
  const missing: string[] = [];
  for (const { where, text } of all) {
    for (const cmd of azCommands(text)) {
      commands++;
      if (!/ --subscription \S/.test(cmd) || !/ --resource-group \S/.test(cmd)) missing.push(`${where}: ${cmd}`);
    }
  }
  assert.ok(commands >= 20, `only ${commands} az commands found`);
  assert.deepEqual(missing, []);
});

test('no fix prints a <workspace> placeholder or refers to a file of this repository', () => {
  for (const { where, text } of fixes()) {
    assert.doesNotMatch(text, /<workspace>/, where);
    assert.doesNotMatch(text, /scripts\/tensorboard-launch\.sh/, `${where}: owners do not have this repository`);
  }
});
