// network.published-port-range (CHECKS.md; domain-facts S10x, S11): behind a workspace private endpoint, a compute
// instance custom application is only reachable when its published port lies in 8704–8993 (private link carries
// only that range).
import type { CheckOutcome } from '../../model';
import type { CheckDefinition } from '../types';
import { NETWORK_HINT, networkUnavailable, workspaceHasPrivateEndpoint } from './common';
import { exampleNetwork } from '../examples';
import { cannotTell, evidenceList, notChecked } from '../words';
import { azScope, workspaceOf } from '../az';
import { shellWord } from './fix';

const TITLE = 'Custom application port is carried by private link';
export const PRIVATE_LINK_PORTS = { min: 8704, max: 8993 } as const;

function publishedPorts(customServices: unknown[]): { service: string; endpoint: string; published: number }[] {
  const out: { service: string; endpoint: string; published: number }[] = [];
  for (const s of customServices) {
    const so = (s && typeof s === 'object' ? s : {}) as Record<string, unknown>;
    for (const e of Array.isArray(so.endpoints) ? so.endpoints : []) {
      const eo = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
      const published = Number(eo.published ?? eo.target);
      if (Number.isInteger(published)) out.push({ service: String(so.name ?? ''), endpoint: String(eo.name ?? ''), published });
    }
  }
  return out;
}

export const publishedPortRangeCheck: CheckDefinition = {
  id: 'network.published-port-range',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance'],
  run({ host, network }): CheckOutcome {
    if (!network.ok) return networkUnavailable(TITLE, network);
    const ev = network.value;
    if (ev.customServices === null) return { status: 'unknown', summary: `${TITLE}: the custom applications of ${host.name} could not be read`, hint: NETWORK_HINT };
    const endpoints = publishedPorts(ev.customServices);
    if (!endpoints.length) return { status: 'skipped', summary: `${TITLE}: ${host.name} runs no custom application` };
    const pe = workspaceHasPrivateEndpoint(ev);
    if (pe === null) return { status: 'unknown', summary: `${TITLE}: the workspace of ${host.name} could not be read (private endpoints unknown)`, hint: NETWORK_HINT };
    if (!pe) return { status: 'skipped', summary: `${TITLE}: the workspace has no private endpoint, so any published port is carried` };
    const inRange = (p: number) => p >= PRIVATE_LINK_PORTS.min && p <= PRIVATE_LINK_PORTS.max;
    const tb = endpoints.find((e) => e.published === host.publishedPort) ?? endpoints[0];
    const others = endpoints.filter((e) => e !== tb && !inRange(e.published));
    const notes = others.map((e) => `Custom application ${e.service} endpoint ${e.endpoint} publishes ${e.published}, outside ${PRIVATE_LINK_PORTS.min}–${PRIVATE_LINK_PORTS.max}.`);
    const n = notes.length ? { notes } : {};
    if (inRange(tb.published)) return { status: 'pass', summary: `${TITLE}: ${tb.service} publishes port ${tb.published}, inside ${PRIVATE_LINK_PORTS.min}–${PRIVATE_LINK_PORTS.max}`, ...n };
    return {
      status: 'fail',
      summary: `${TITLE}: custom application ${tb.service} on ${host.name} publishes port ${tb.published}, outside ${PRIVATE_LINK_PORTS.min}–${PRIVATE_LINK_PORTS.max}, which is all the workspace's private link carries`,
      evidence: { endpoints, privateLinkPorts: PRIVATE_LINK_PORTS },
      remediation: `Recreate the custom application with a published port in ${PRIVATE_LINK_PORTS.min}–${PRIVATE_LINK_PORTS.max} (customServices[].endpoints[].published, e.g. ${PRIVATE_LINK_PORTS.min}); the target port stays ${tb.published === host.port ? host.port : 'as it is'}. Custom applications are set when the compute instance is created: az ml compute create --file <compute instance YAML with custom_applications> ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))}`,
      ...n,
    };
  },
  sentence(o, host) {
    if (o.status === 'fail') {
      const e = evidenceList(o, 'endpoints').find((x) => x.published === host.publishedPort) ?? evidenceList(o, 'endpoints')[0] ?? {};
      return `TensorBoard on ${host.name} is unreachable through the workspace's private link: it is published on port ${String(e.published ?? host.publishedPort)}, and private link carries only ports ${PRIVATE_LINK_PORTS.min}–${PRIVATE_LINK_PORTS.max}`;
    }
    if (o.status === 'unknown') return cannotTell(host, `TensorBoard's published port is carried by the workspace's private link`, 'it could not read the compute\'s custom applications or the workspace');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `TensorBoard on ${host.name} is published on a port the workspace's private link carries`;
  },
  examples(host, settings) {
    const app = (published: number) => [{ name: 'tensorboard', endpoints: [{ name: 'tensorboard', target: host.port, published }] }];
    const run = (n: Parameters<typeof exampleNetwork>[1]) => publishedPortRangeCheck.run(exampleNetwork(host, n), settings);
    return {
      fail: [run({ privateEndpoint: 'Approved', customServices: app(6006) })],
      pass: [run({ privateEndpoint: 'Approved', customServices: app(8706) })],
      unknown: [run({ privateEndpoint: 'Approved', customServices: null })],
      skipped: [run({ privateEndpoint: null, customServices: app(6006) }), run({ customServices: [] })],
    };
  },
};
