// Kernel messages the resource checks read from `Syslog` (Facility `kern`): research/domain-facts.md R04 (S33,
// mm/oom_kill.c) and CHECKS.md resource.kernel-network. Like the launch-log patterns, `terms` classify a line on
// the server (all contained, case-insensitive) and `regex` confirms it in the check; `detail` is the KQL `extract`
// pattern (RE2) whose first group the server returns per line (the killed comm, the flooded port).
import type { KernelEventKind } from './log-types';

export interface KernelPattern {
  kind: KernelEventKind;
  terms: readonly string[];
  regex: RegExp;
  detail: string | null;
}

export const OOM_KILL = /(Out of memory|Memory cgroup out of memory): Killed process (\d+) \(([^)]*)\)/i;
/** comm is at most 15 characters: the console script, `python -m tensorboard.main`, RustBoard's `bin/server`. */
export const TENSORBOARD_COMM = /^(tensorboard|python[0-9.]*|server)$/;
export const SYN_FLOOD = /Possible SYN flooding on port (?:\S*:)?(\d+)\b/i;

export const KERNEL_PATTERNS: readonly KernelPattern[] = [
  { kind: 'oom-kill', terms: ['out of memory', 'killed process'], regex: OOM_KILL, detail: 'Killed process [0-9]+ \\(([^)]*)\\)' },
  { kind: 'syn-flood', terms: ['possible syn flooding on port'], regex: SYN_FLOOD, detail: 'SYN flooding on port (?:[^ ]*:)?([0-9]+)' },
  { kind: 'conntrack-full', terms: ['nf_conntrack: table full, dropping packet'], regex: /nf_conntrack: table full, dropping packet/i, detail: null },
  { kind: 'tcp-oom', terms: ['tcp: out of memory'], regex: /TCP: out of memory\b/i, detail: null },
];

export function kernelPattern(kind: KernelEventKind): KernelPattern {
  const p = KERNEL_PATTERNS.find((k) => k.kind === kind);
  if (!p) throw new Error(`no kernel pattern ${kind}`);
  return p;
}

/** The classification and `extract` the server applies, done locally: for the checks' worked examples and test fixtures. */
export function classifyKernelLine(message: string): { kind: KernelEventKind; detail: string } | null {
  const lower = message.toLowerCase();
  const p = KERNEL_PATTERNS.find((k) => k.terms.every((t) => lower.includes(t)));
  if (!p) return null;
  return { kind: p.kind, detail: p.detail ? new RegExp(p.detail).exec(message)?.[1] ?? '' : '' };
}
