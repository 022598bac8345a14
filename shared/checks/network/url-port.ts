// network.url-port: a TensorBoard URL a person pasted asks the compute instance for one port; TensorBoard is reachable
// on the host's published port (the custom application's `published`, else the tbmon-tensorboard tag's port). Opening
// `https://<ci>-6007.<region>.instances.azureml.ms/` when TensorBoard is published on 8707 is itself a 502: the
// instance proxy answers for a port nothing listens on (research/domain-facts.md "CI, URL form"; the same holds for
// jupyter-server-proxy's `/proxy/<port>/`, which forwards to that port on the instance).
// Pure: the on-demand check adds it to the host's report when the query named a port; a sweep has no URL to judge.
import type { InstanceUrlReading } from '../../host-query';
import type { CheckResult, Host } from '../../model';

export const URL_PORT_CHECK_ID = 'network.url-port';

export interface RequestedUrl {
  /** The URL as shown (no query, no fragment). */
  url: string;
  form: 'custom-application' | 'jupyter-proxy';
  /** The reading of the URL that named this host. */
  reading: InstanceUrlReading;
}

/** The URL that reaches TensorBoard on `host`, in the form the person used. */
export function reachableUrl(requested: RequestedUrl, host: Pick<Host, 'publishedPort'>): string {
  const u = new URL(requested.url);
  const [, ...rest] = u.hostname.split('.');
  if (requested.form === 'jupyter-proxy') return `${u.protocol}//${u.hostname}/proxy/${host.publishedPort}/`;
  return `${u.protocol}//${requested.reading.instance}-${host.publishedPort}.${rest.join('.')}/`;
}

/** The finding for a URL that named a port; null when it named none (nothing to judge). */
export function urlPortFinding(requested: RequestedUrl, host: Host): CheckResult | null {
  const asked = requested.reading.port;
  if (asked === null) return null;
  const base = { id: URL_PORT_CHECK_ID, class: 'network' as const, severity: 'high' as const };
  const evidence = { url: requested.url, askedPort: asked, publishedPort: host.publishedPort, tensorboardPort: host.port, reachableUrl: reachableUrl(requested, host) };
  if (asked === host.publishedPort) {
    return { ...base, status: 'pass', summary: `The URL asks ${host.name} for port ${asked}, the port TensorBoard is reachable on`, evidence };
  }
  const behind = host.port !== host.publishedPort ? ` (published from TensorBoard's port ${host.port} in its container)` : '';
  return {
    ...base,
    status: 'fail',
    summary: `The URL asks ${host.name} for port ${asked}, but TensorBoard is reachable on port ${host.publishedPort}${behind}: the instance proxy answers 502 for a port nothing serves`,
    evidence,
    remediation: `Open ${evidence.reachableUrl} instead of ${requested.url}`,
  };
}
