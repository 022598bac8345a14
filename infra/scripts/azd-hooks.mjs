// azd hooks (azure.yaml): run with the azd environment's values in process.env.
//
//   preprovision   a Key Vault name suffix for this environment (TBMON_KEY_VAULT_SUFFIX), set once: the vault's
//                  name must be new after `azd down`, because purge protection keeps a deleted vault — and its name —
//                  for the retention period (infra/app/resources.bicep).
//   postprovision  TBMON_SCOPE=managementGroup:<id>: the scan role on the group (azd deploys at subscription scope
//                  only) when TBMON_GRANT_MANAGEMENT_GROUP=true, else the exact command to run; and a refresh of the
//                  app's Key Vault references when a secret was set, so a role that propagated after the app
//                  started does not leave the literal reference in place for 24 hours.
//   postdown       a new suffix, so the next `azd up` in this environment gets a vault name that is free.
//
//   node infra/scripts/azd-hooks.mjs preprovision|postprovision|postdown
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const shell = process.platform === 'win32';
const env = process.env;
const say = (line) => process.stdout.write(`tbmon: ${line}\n`);

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], shell, ...opts });
}

function hasAz() {
  try {
    run('az', ['version', '--output', 'none']);
    return true;
  } catch {
    return false;
  }
}

const newSuffix = () => randomBytes(6).toString('hex').slice(0, 6).replace(/^[0-9]/, 'k');

function setEnv(name, value) {
  run('azd', ['env', 'set', name, value]);
}

function preprovision() {
  if (!env.TBMON_KEY_VAULT_SUFFIX?.trim()) {
    const suffix = newSuffix();
    setEnv('TBMON_KEY_VAULT_SUFFIX', suffix);
    say(`Key Vault name suffix for this environment: ${suffix} (TBMON_KEY_VAULT_SUFFIX)`);
  } else if (!/^[a-z0-9]{1,8}$/.test(env.TBMON_KEY_VAULT_SUFFIX.trim())) {
    process.stderr.write('tbmon: TBMON_KEY_VAULT_SUFFIX must be 1-8 lower-case letters or digits\n');
    process.exit(2);
  }
}

function postprovision() {
  const scope = env.TBMON_SCOPE?.trim() ?? '';
  const mg = /^managementGroup:(.+)$/i.exec(scope)?.[1]?.trim();
  if (mg) {
    const grant = path.join(path.dirname(fileURLToPath(import.meta.url)), 'grant.mjs');
    const command = `node infra/scripts/grant.mjs --management-group ${mg}`;
    if (env.TBMON_GRANT_MANAGEMENT_GROUP?.trim().toLowerCase() === 'true') {
      say(`granting the scan role on management group ${mg}`);
      execFileSync(process.execPath, [grant, '--management-group', mg], { stdio: 'inherit' });
    } else {
      say(`TBMON_SCOPE names management group ${mg}: azd cannot grant there. Run (needs User Access Administrator on the group):`);
      say(`  ${command}`);
      say('or set TBMON_GRANT_MANAGEMENT_GROUP=true to have `azd provision` do it.');
    }
  }
  if ((env.TEAMS_WEBHOOK_URL?.trim() || env.ACS_CONNECTION_STRING?.trim()) && env.AZURE_SUBSCRIPTION_ID && env.AZURE_RESOURCE_GROUP && env.AZURE_FUNCTION_APP_NAME) {
    // learn.microsoft.com/azure/app-service/app-service-key-vault-references, "Rotation": the refresh call.
    const url = `/subscriptions/${env.AZURE_SUBSCRIPTION_ID}/resourceGroups/${env.AZURE_RESOURCE_GROUP}/providers/Microsoft.Web/sites/${env.AZURE_FUNCTION_APP_NAME}/config/configreferences/appsettings/refresh?api-version=2022-03-01`;
    if (hasAz()) {
      try {
        run('az', ['rest', '--method', 'post', '--url', url, '--output', 'none']);
        say('Key Vault references refreshed');
      } catch {
        say(`the Key Vault reference refresh failed; once the role has propagated run: az rest --method post --url "${url}"`);
      }
    } else {
      say(`Key Vault references resolve within 24 hours; to resolve them now: az rest --method post --url "${url}"`);
    }
  }
}

function postdown() {
  const suffix = newSuffix();
  setEnv('TBMON_KEY_VAULT_SUFFIX', suffix);
  say(`the deleted Key Vault keeps its name while soft-deleted; the next \`azd up\` here uses suffix ${suffix}`);
}

const hooks = { preprovision, postprovision, postdown };
const which = process.argv[2];
if (!hooks[which]) {
  process.stderr.write('usage: node infra/scripts/azd-hooks.mjs preprovision|postprovision|postdown\n');
  process.exit(2);
}
hooks[which]();
