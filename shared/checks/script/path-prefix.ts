// script.path-prefix (CHECKS.md): TensorBoard started with --path_prefix prints it in its serving URL
// (`http://host:port/<prefix>/`, tensorboard/program.py get_url) and answers 404 to any path outside it
// (PathPrefixMiddleware). The AzureML proxy, a custom application and a load balancer probe ask for `/`, so the page
// never loads. The newest serving line decides: a later start without the flag clears an earlier one.
import type { CheckOutcome } from '../../model';
import { TB_PATH_PREFIX, TB_PROGRAM } from '../sources';
import type { CheckDefinition } from '../types';
import { lineEvidence, newestServing, readLaunchLog } from './launch-log';
import { parseServingLine } from '../../evidence/launch-patterns';
import { emptyLaunchLog, exampleEvidence, launchLog } from '../examples';
import { cannotTell, evidenceText, launchLogWhy } from '../words';

export const pathPrefixCheck: CheckDefinition = {
  id: 'script.path-prefix',
  class: 'script',
  severity: 'medium',
  title: 'TensorBoard serves at / (no --path_prefix)',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  sources: [TB_PROGRAM, TB_PATH_PREFIX],
  run(evidence, settings): CheckOutcome {
    const read = readLaunchLog(evidence, settings);
    if (!read.ok) return read.outcome;
    const serving = newestServing(read.log);
    const url = serving ? parseServingLine(serving.message) : null;
    // Like script.localhost-only: the flag shows only in the serving line, printed once at start; a long-running
    // TensorBoard whose start is older than the window (heartbeats only) gives no sign of it either way.
    if (!serving || !url) {
      return {
        status: 'pass',
        summary: `No serving line in the launch log of the last ${settings.lookback}, so nothing shows a --path_prefix`,
        notes: ['The URL path shows only in the line TensorBoard prints when it starts serving; a start older than the window is not seen.'],
      };
    }
    if (url.pathPrefix) {
      const { host } = evidence;
      return {
        status: 'fail',
        summary: `TensorBoard on ${host.name} serves under the path ${url.pathPrefix}/ (--path_prefix) and answers 404 to everything else, including the / that the proxy asks for: "${serving.message.trim()}"`,
        evidence: { ...lineEvidence(read.log, serving), pathPrefix: url.pathPrefix },
        remediation: `Start it without --path_prefix: tensorboard --logdir <logdir> --port ${host.port} --bind_all — or open the URL with the prefix (…:${host.publishedPort}${url.pathPrefix}/)`,
      };
    }
    return { status: 'pass', summary: `TensorBoard serves at / (${url.host}:${url.port})`, evidence: lineEvidence(read.log, serving) };
  },
  sentence(o, host) {
    if (o.status === 'fail') return `TensorBoard on ${host.name} serves only under ${evidenceText(o, 'pathPrefix') || 'a path prefix'}/ (--path_prefix) and answers 404 to the / that the proxy asks for`;
    if (o.status === 'unknown') return cannotTell(host, 'TensorBoard serves at /', launchLogWhy(o));
    return `TensorBoard on ${host.name} serves at /, where the proxy asks for it`;
  },
  examples(host, settings) {
    const run = (lines: [number, string][]) => pathPrefixCheck.run(exampleEvidence(host, { logs: { launch: launchLog(lines) } }), settings);
    return {
      fail: [run([[5, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/tensorboard/ (Press CTRL+C to quit)`]])],
      pass: [run([[5, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`]]), run([[20, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/tb/ (Press CTRL+C to quit)`], [5, `TensorBoard 2.18.0 at http://${host.name}:${host.port}/ (Press CTRL+C to quit)`]])],
      unknown: [pathPrefixCheck.run(exampleEvidence(host), settings), pathPrefixCheck.run(exampleEvidence(host, { logs: { launch: emptyLaunchLog() } }), settings)],
    };
  },
};
