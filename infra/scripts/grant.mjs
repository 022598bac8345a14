// Grant tbmon's identity the scan role on more subscriptions or on a management group, with the Azure CLI:
//
//   node infra/scripts/grant.mjs <subscription-id> [<subscription-id>...]
//   node infra/scripts/grant.mjs --management-group <id>
//   options: --principal-id <object id>  (default: TBMON_IDENTITY_PRINCIPAL_ID, else `azd env get-value`)
//            --print                     (print the commands, run nothing)
//
// The role is Log Analytics Reader: it includes `*/read` (ARM and Resource Graph reads of every resource) and the
// Log Analytics query actions, all the scan needs (infra/scope/subscription-roles.bicep). A role assignment at a
// management group inherits to every subscription under it, including ones added later. Whoever runs this needs
// User Access Administrator (or Owner) there. Bad input exits 2 naming the argument, and nothing runs.
import { execFileSync } from 'node:child_process';

const LOG_ANALYTICS_READER = '73c42c96-874c-492b-b04d-ab87d138a893';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MG_ID = /^[A-Za-z0-9._()-]{1,90}$/;
const shell = process.platform === 'win32';

function usage(message) {
  process.stderr.write(`grant: ${message}\nusage: node infra/scripts/grant.mjs [--principal-id ID] [--print] (<subscription-id>... | --management-group <id>)\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = { subscriptions: [], managementGroup: null, principalId: null, print: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--print') out.print = true;
    else if (a === '--principal-id' || a === '--management-group') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) return `${a} needs a value`;
      if (a === '--principal-id') {
        if (!GUID.test(v)) return `--principal-id ${JSON.stringify(v)} is not an object id (a GUID)`;
        out.principalId = v;
      } else {
        if (!MG_ID.test(v)) return `--management-group ${JSON.stringify(v)} is not a management group id`;
        out.managementGroup = v;
      }
    } else if (a.startsWith('--')) return `unknown option ${JSON.stringify(a)}`;
    else if (!GUID.test(a)) return `${JSON.stringify(a)} is not a subscription id (a GUID)`;
    else out.subscriptions.push(a.toLowerCase());
  }
  if (out.managementGroup && out.subscriptions.length) return 'give subscriptions or --management-group, not both';
  if (!out.managementGroup && !out.subscriptions.length) return 'name at least one subscription id, or --management-group <id>';
  return out;
}

function principalFromAzd() {
  try {
    return execFileSync('azd', ['env', 'get-value', 'TBMON_IDENTITY_PRINCIPAL_ID'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], shell }).trim();
  } catch {
    return '';
  }
}

/** The `az` argument lists that make the grants. */
function grantCommands(args, principalId) {
  const scopes = args.managementGroup ? [`/providers/Microsoft.Management/managementGroups/${args.managementGroup}`] : args.subscriptions.map((s) => `/subscriptions/${s}`);
  return scopes.map((scope) => ['role', 'assignment', 'create', '--assignee-object-id', principalId, '--assignee-principal-type', 'ServicePrincipal', '--role', LOG_ANALYTICS_READER, '--scope', scope]);
}

const quote = (s) => (/^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') usage(args);
  const principalId = args.principalId ?? (process.env.TBMON_IDENTITY_PRINCIPAL_ID?.trim() || principalFromAzd());
  if (!GUID.test(principalId)) usage('the identity is unknown: pass --principal-id <object id>, or run from the azd project after `azd provision` (TBMON_IDENTITY_PRINCIPAL_ID)');
  for (const cmd of grantCommands(args, principalId)) {
    process.stdout.write(`az ${cmd.map(quote).join(' ')}\n`);
    if (!args.print) execFileSync('az', [...cmd, '--output', 'none'], { stdio: 'inherit', shell });
  }
}

main();
