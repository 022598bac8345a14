// network.aml-outbound (CHECKS.md; domain-facts N03-N05, (b)): what an AzureML compute in a customer VNet must reach.
// Denied AzureMachineLearning TCP 443 / UDP 5831, BatchNodeManagement.<region> 443 or Storage.<region> 443 → fail;
// denied AzureActiveDirectory, AzureResourceManager, AzureFrontDoor.FrontEnd or MicrosoftContainerRegistry 443 → warn;
// with a workspace private endpoint, denied AzureMachineLearning 8787 / 18881 → warn.
import type { CheckOutcome, HostRecord } from '../../model';
import type { FlowProtocol } from '../../nsg';
import type { CheckDefinition } from '../types';
import { prepare, workspaceHasPrivateEndpoint } from './common';
import { partialOutcome } from '../partial';
import { sourceEndpoint } from './path';
import { exampleNetwork, outsideVnet } from '../examples';
import { blocksWords, cannotTell, firstDenied, notChecked } from '../words';
import { deniedSentence, describeRequirement, judge, partsEvidence, unique, type Judged, type Requirement } from './judge';

const TITLE = 'AzureML outbound dependencies allowed';

interface Need {
  tag: string;
  protocol: FlowProtocol;
  port: number;
  level: 'fail' | 'warn';
  /** Needed only when the workspace has a private endpoint. */
  privateEndpointOnly?: boolean;
}

export function outboundNeeds(host: HostRecord, privateEndpoint: boolean): Need[] {
  const region = host.location;
  const needs: Need[] = [
    { tag: 'AzureMachineLearning', protocol: 'Tcp', port: 443, level: 'fail' },
    { tag: 'AzureMachineLearning', protocol: 'Udp', port: 5831, level: 'fail' },
    { tag: `BatchNodeManagement.${region}`, protocol: 'Tcp', port: 443, level: 'fail' },
    { tag: `Storage.${region}`, protocol: 'Tcp', port: 443, level: 'fail' },
    { tag: 'AzureActiveDirectory', protocol: 'Tcp', port: 443, level: 'warn' },
    { tag: 'AzureResourceManager', protocol: 'Tcp', port: 443, level: 'warn' },
    { tag: 'AzureFrontDoor.FrontEnd', protocol: 'Tcp', port: 443, level: 'warn' },
    { tag: 'MicrosoftContainerRegistry', protocol: 'Tcp', port: 443, level: 'warn' },
  ];
  if (privateEndpoint) {
    needs.push(
      { tag: 'AzureMachineLearning', protocol: 'Tcp', port: 8787, level: 'warn', privateEndpointOnly: true },
      { tag: 'AzureMachineLearning', protocol: 'Tcp', port: 18881, level: 'warn', privateEndpointOnly: true },
    );
  }
  return needs;
}

export const amlOutboundCheck: CheckDefinition = {
  id: 'network.aml-outbound',
  class: 'network',
  severity: 'high',
  title: TITLE,
  appliesTo: ['compute-instance', 'compute-cluster'],
  run(evidence): CheckOutcome {
    const prep = prepare(evidence, TITLE);
    if (!prep.ok) return prep.outcome;
    const pe = workspaceHasPrivateEndpoint(prep.ev);
    const notes = prep.paths.flatMap((p) => p.notes);
    // Workspace unreadable: whether 8787/18881 are needed is unknown, so they are judged too — allowed settles it,
    // denied leaves the check unknown (a warn only if the workspace has a private endpoint).
    const results: { need: Need; req: Requirement; j: Judged }[] = outboundNeeds(evidence.host, pe !== false).map((need) => {
      const req: Requirement = { direction: 'Outbound', protocol: need.protocol, port: need.port, remote: [sourceEndpoint(need.tag)], purpose: `${need.tag.toLowerCase()}-${need.port}` };
      return { need, req, j: judge(prep.paths, req) };
    });
    const maybeNeeded = (r: { need: Need }) => pe === null && !!r.need.privateEndpointOnly;
    const deniedAt = (level: Need['level']) => results.filter((r) => r.need.level === level && r.j.denied.length && !maybeNeeded(r));
    const unknownAt = (level: Need['level']) => results.filter((r) => r.need.level === level && !r.j.denied.length && r.j.unknown.length);
    const sentences = (rs: typeof results) => unique(rs.flatMap((r) => r.j.denied.map((d) => deniedSentence(d, r.req))));
    const fixes = (rs: typeof results) => unique(rs.flatMap((r) => r.j.denied.map((d) => d.fix).filter((f): f is string => !!f))).join('\n');
    const evidenceOf = (rs: typeof results) => ({ denied: rs.flatMap((r) => partsEvidence(r.j.denied)), checked: results.map((r) => describeRequirement(r.req) + ` to ${r.need.tag}`) });
    const n = notes.length ? { notes: unique(notes) } : {};
    const failing = deniedAt('fail');
    if (failing.length) return { status: 'fail', summary: `${TITLE}: ${sentences(failing).join('; ')}`, evidence: evidenceOf(failing), remediation: fixes([...failing, ...deniedAt('warn')]), ...n };
    const unknown = unknownAt('fail');
    const warning = deniedAt('warn');
    if (unknown.length && warning.length) {
      // A warn-level flow denied, a fail-level one undecided: the warn is what was seen, and partial (CHECKS.md §
      // Partial evidence) — the undecided flow could make it a fail.
      return partialOutcome(
        { status: 'warn', summary: `${TITLE}: ${sentences(warning).join('; ')}`, evidence: evidenceOf(warning), remediation: fixes(warning), ...n },
        unknown.map((r) => ({ source: `the verdict on ${describeRequirement(r.req)} to ${r.need.tag}`, reason: unique(r.j.unknown.map((u) => u.reason)).join('; '), hint: 'Service tags are resolved through the Service Tags API (Network Reader on the subscription); NSGs and subnets need Reader.' })),
      );
    }
    if (unknown.length) {
      return {
        status: 'unknown',
        summary: `${TITLE}: cannot tell whether ${unknown.map((r) => `${describeRequirement(r.req)} to ${r.need.tag}`).join(', ')} is allowed: ${unique(unknown.flatMap((r) => r.j.unknown.map((u) => u.reason))).join('; ')}`,
        hint: 'Service tags are resolved through the Service Tags API (Network Reader on the subscription); NSGs and subnets need Reader.',
        ...n,
      };
    }
    if (warning.length) return { status: 'warn', summary: `${TITLE}: ${sentences(warning).join('; ')}`, evidence: evidenceOf(warning), remediation: fixes(warning), ...n };
    // A warn-level flow that cannot be judged, or one denied that the workspace may need: pass would claim too much.
    const undecided = [
      ...unknownAt('warn').map((r) => `whether ${describeRequirement(r.req)} to ${r.need.tag} is allowed: ${unique(r.j.unknown.map((u) => u.reason)).join('; ')}`),
      ...results.filter((r) => r.j.denied.length && maybeNeeded(r)).map((r) => `whether ${describeRequirement(r.req)} to ${r.need.tag} is needed: it is denied (${sentences([r]).join('; ')}), and it is needed only with a private endpoint, but the workspace ${prep.ev.workspace.state === 'unreadable' ? `could not be read (${prep.ev.workspace.reason})` : 'is not known'}`),
    ];
    if (undecided.length) {
      return {
        status: 'unknown',
        summary: `${TITLE}: the required flows are allowed, but tbmon cannot tell ${undecided.join('; ')}`,
        hint: 'Service tags are resolved through the Service Tags API (Network Reader on the subscription); NSGs, subnets and the ML workspace (its private endpoints) need Reader.',
        ...n,
      };
    }
    return { status: 'pass', summary: `${TITLE}: ${results.length} required outbound flows are allowed (${results.map((r) => `${r.need.tag} ${r.req.protocol.toUpperCase()} ${r.req.port}`).join(', ')})`, ...n };
  },
  sentence(o, host) {
    if (o.status === 'fail' || o.status === 'warn') {
      const d = firstDenied(o, 'Outbound');
      const what = o.status === 'fail' ? `${host.name} cannot reach the Azure services a compute needs, so AzureML cannot run TensorBoard there` : `${host.name} cannot reach an Azure service some AzureML features need`;
      return `${what}: ${d ? blocksWords(d, 'Outbound', 443) : 'a network security group blocks the traffic'}`;
    }
    if (o.status === 'unknown') return cannotTell(host, 'the compute can reach the Azure services it needs', 'it could not read every network security group or service tag on the way');
    if (o.status === 'skipped') return notChecked(host, o, TITLE);
    return `${host.name} can reach the Azure services a compute needs`;
  },
  examples(host, settings) {
    const run = (n: Parameters<typeof exampleNetwork>[1]) => amlOutboundCheck.run(exampleNetwork(host, n), settings);
    return {
      fail: [run({ rules: [['deny-storage', 200, 'Outbound', 'Deny', 'Tcp', '*', '443', `Storage.${host.location}`]] })],
      warn: [run({ rules: [['deny-entra-id', 200, 'Outbound', 'Deny', 'Tcp', '*', '443', 'AzureActiveDirectory']] })],
      pass: [run({ rules: [] })],
      unknown: [run({ nsgUnreadable: true })],
      skipped: [amlOutboundCheck.run(outsideVnet(host), settings)],
    };
  },
};
