// resource.compute-state (CHECKS.md): is the compute (or VM) in a state where anything can serve TensorBoard?
// From HostRecord facts (ARM / Resource Graph), not from logs.
import type { HostRecord } from '../../model';
import type { CheckDefinition } from '../types';
import { exampleEvidence } from '../examples';
import { cannotTell, evidenceText } from '../words';
import { azScope, workspaceOf } from '../az';
import { shellWord } from '../network/fix';

const CI_FAIL = new Set(['setupfailed', 'usersetupfailed', 'unusable', 'createfailed']);
const CI_WARN = new Set(['creating', 'starting', 'restarting', 'settingup', 'usersettingup']);
const CI_PASS = new Set(['running', 'jobrunning']);
const CI_STOPPED = new Set(['stopped', 'stopping', 'deleting']);
const VM_STOPPED = new Set(['deallocated', 'deallocating', 'stopped', 'stopping']);
const VM_TRANSITIONAL = new Set(['starting']);

export type RunState = 'running' | 'stopped' | 'transitional' | 'failed' | 'unknown';

function vmPower(state: string | null): string | null {
  const m = /^PowerState\/(.+)$/i.exec(state ?? '');
  return m ? m[1].toLowerCase() : state ? state.toLowerCase() : null;
}

/** Coarse run state shared with the script checks ("while the compute runs"). */
export function runStateOf(host: HostRecord): RunState {
  const f = host.facts;
  if (host.kind === 'vm') {
    const p = vmPower(f.state);
    if (f.provisioningState?.toLowerCase() === 'failed') return 'failed';
    if (p === 'running') return 'running';
    if (p && VM_STOPPED.has(p)) return 'stopped';
    if (p && VM_TRANSITIONAL.has(p)) return 'transitional';
    return 'unknown';
  }
  const s = f.state?.toLowerCase() ?? null;
  if (s && CI_STOPPED.has(s)) return 'stopped';
  if ((s && CI_FAIL.has(s)) || (f.errors?.length ?? 0) > 0) return 'failed';
  if (s && CI_WARN.has(s)) return 'transitional';
  if (s && CI_PASS.has(s)) return 'running';
  if (host.kind === 'compute-cluster' && s === null && f.provisioningState?.toLowerCase() === 'succeeded') return 'running';
  return 'unknown';
}

function describeErrors(errors: unknown[] | null): string[] {
  return (errors ?? []).map((e) => {
    const o = (e as { error?: { code?: string; message?: string }; code?: string; message?: string }) ?? {};
    const inner = o.error ?? o;
    return [inner.code, inner.message].filter(Boolean).join(': ') || JSON.stringify(e);
  });
}

function showCommand(host: HostRecord): string {
  if (host.kind === 'vm') return `az vm get-instance-view ${azScope(host)} --name ${shellWord(host.name)} --query instanceView.statuses`;
  return `az ml compute show ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))} --name ${shellWord(host.name)}`;
}

export const computeStateCheck: CheckDefinition = {
  id: 'resource.compute-state',
  class: 'resource',
  severity: 'high',
  title: 'Compute is running',
  appliesTo: ['compute-instance', 'compute-cluster', 'vm'],
  run({ host }) {
    const f = host.facts;
    const evidence = { state: f.state, provisioningState: f.provisioningState, errors: f.errors ?? [], lastOperation: f.lastOperation };
    const errors = describeErrors(f.errors);
    const runState = runStateOf(host);
    if (runState === 'stopped') {
      const trigger = f.lastOperation?.operationTrigger;
      const by = trigger ? ` (stopped by ${trigger}${f.lastOperation?.operationTime ? ` at ${f.lastOperation.operationTime}` : ''})` : '';
      return { status: 'skipped', summary: `${host.name} is ${vmPower(f.state) ?? f.state}${by}: nobody can be served until it starts`, evidence };
    }
    if (runState === 'failed') {
      const what = host.kind === 'vm' ? `provisioning state ${f.provisioningState}` : `state ${f.state ?? 'unknown'}`;
      return {
        status: 'fail',
        summary: `${host.name} is in ${what}${errors.length ? `; errors: ${errors.join('; ')}` : ''}`,
        evidence,
        remediation: host.kind === 'compute-instance'
          ? `${showCommand(host)} --query "properties.errors"  # then fix the setup script and: az ml compute restart ${azScope(host)} --workspace-name ${shellWord(workspaceOf(host))} --name ${shellWord(host.name)}`
          : showCommand(host),
      };
    }
    if (runState === 'transitional') {
      return { status: 'warn', summary: `${host.name} is ${host.kind === 'vm' ? vmPower(f.state) : f.state}: a 502 is expected while the app is set up`, evidence };
    }
    if (runState === 'running') return { status: 'pass', summary: `${host.name} is ${host.kind === 'vm' ? 'running' : f.state ?? f.provisioningState}`, evidence };
    return {
      status: 'unknown',
      summary: `${host.name} reports a state tbmon does not know (${f.state ?? 'none'}, provisioning ${f.provisioningState ?? 'none'})`,
      evidence,
      hint: `Read it with: ${showCommand(host)}`,
    };
  },
  sentence(o, host) {
    const state = evidenceText(o, 'state');
    const what = host.kind === 'vm' ? 'The VM' : 'The compute';
    if (o.status === 'fail') {
      const errors = Array.isArray(o.evidence?.errors) ? describeErrors(o.evidence.errors as unknown[]) : [];
      const why = host.kind === 'vm' ? `the VM failed to provision` : `the compute is in state ${state || 'failed'}`;
      return `TensorBoard on ${host.name} cannot run: ${why}${errors.length ? ` (${errors[0].split(':')[0]})` : ''}`;
    }
    if (o.status === 'warn') return `TensorBoard on ${host.name} is not reachable yet: ${what.toLowerCase()} is ${(vmPower(state) ?? state) || 'changing state'}, and a 502 is expected until it is ready`;
    if (o.status === 'skipped') return `${host.name} is stopped, so TensorBoard is not expected to answer`;
    if (o.status === 'unknown') return cannotTell(host, 'the host is running', `Azure reports a state tbmon does not know (${state || 'none'})`);
    return `${host.name} is running`;
  },
  examples(host, settings) {
    const run = (facts: Partial<HostRecord['facts']>) => computeStateCheck.run(exampleEvidence(host, { facts }), settings);
    const vm = host.kind === 'vm';
    return {
      fail: [vm ? run({ provisioningState: 'Failed', state: 'PowerState/running' }) : run({ state: 'SetupFailed', errors: [{ error: { code: 'UserScriptFailed', message: 'The setup script exited with code 1' } }] })],
      warn: [run({ state: vm ? 'PowerState/starting' : 'Creating' })],
      pass: [run({ state: vm ? 'PowerState/running' : 'Running' })],
      skipped: [run({ state: vm ? 'PowerState/deallocated' : 'Stopped', lastOperation: { operationName: 'Stop', operationTrigger: 'IdleShutdown', operationTime: '2026-11-26T02:00:00Z' } })],
      unknown: [run({ state: vm ? 'PowerState/hibernated' : 'Mystery', provisioningState: 'Succeeded' })],
    };
  },
};
