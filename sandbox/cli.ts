// `npm run sandbox -- --tenant FILE [--port N] [--page-size N]`: runs the sandbox standalone. Prints one JSON line
// when ready (what a client needs to reach it), then one line per request on stderr; stops on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { startSandbox } from './server';
import { readTenantFile } from './tenant';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, port: { type: 'string' }, 'page-size': { type: 'string' }, quiet: { type: 'boolean' } },
    strict: true,
  });
  if (!values.tenant) {
    process.stderr.write('usage: npm run sandbox -- --tenant FILE [--port N] [--page-size N] [--quiet]\n');
    process.exit(2);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port}"`);
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) throw new Error(`--page-size must be a positive integer, not "${values['page-size']}"`);

  const sandbox = await startSandbox({
    tenant: readTenantFile(values.tenant),
    port,
    armPageSize: pageSize,
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({
    baseUrl: sandbox.baseUrl,
    caCertPath: sandbox.caCertPath,
    armEndpoint: sandbox.armEndpoint,
    logAnalyticsEndpoint: sandbox.logAnalyticsEndpoint,
    acsConnectionString: sandbox.acsConnectionString,
    teamsWebhooks: sandbox.teamsWebhooks,
  })}\n`);
  const stop = () => {
    sandbox.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox: ${(e as Error).message}\n`);
  process.exit(2);
});
