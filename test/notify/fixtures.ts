// Notices as evaluate writes them, for the notify tests.
import type { CheckStatus, Host, Severity } from '../../shared/model';
import type { Notice, NoticeKind } from '../../shared/notices';
import { testHost } from '../support/hosts';

export const SUB = '11111111-2222-3333-4444-555555555555';

export function host(name: string, owners: string[] = [`${name}-owner@contoso.com`], over: Partial<Host> = {}): Host {
  return testHost({ name, subscriptionId: SUB, workspace: 'ws-1', owners, logAnalyticsWorkspaceId: null, ...over });
}

let seq = 0;
export function notice(h: Host, kind: NoticeKind, checkId: string | undefined, opts: { from?: CheckStatus | null; to?: CheckStatus; severity?: Severity; summary?: string; evidence?: Record<string, unknown>; remediation?: string; observedAt?: string; sweepId?: string } = {}): Notice {
  const to = opts.to ?? (kind === 'recovery' ? 'pass' : kind === 'data-gap' ? 'unknown' : 'fail');
  return {
    id: `n-${h.name}-${checkId ?? 'gone'}-${kind}-${seq++}`,
    kind, sweepId: opts.sweepId ?? 's-1', host: h, checkId,
    from: kind === 'gone' ? undefined : opts.from === undefined ? (kind === 'recovery' ? 'fail' : 'pass') : opts.from,
    to: kind === 'gone' ? undefined : to,
    check: kind === 'gone' || !checkId ? undefined : {
      id: checkId, class: checkId.split('.')[0] as 'network', status: to, severity: opts.severity ?? 'high',
      summary: opts.summary ?? `${checkId} ${to} on ${h.name}`, evidence: opts.evidence, remediation: opts.remediation,
    },
    observedAt: opts.observedAt ?? '2026-11-26T06:00:00Z',
  };
}
