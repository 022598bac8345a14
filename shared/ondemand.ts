// The on-demand check (HTTP `check` and `tbmon check`): what a person has in hand → the host → a report, now.
// Read-only: fresh ARM reads, no history, no alerts. Bad input, a host outside TBMON_SCOPE, a host that does not exist
// and an ambiguous name are typed errors the adapters map to 400 / 403 / 404 / 409 (CLI: exit 2); a lookup that
// found nothing because part of the scope was unreadable maps to 503 (CLI: exit 3).
import type { AzureContext } from './azure';
import type { Settings } from './config';
import { HostNotFoundError, RequestError } from './discovery/errors';
import { findHost } from './discovery/find-host';
import { planScope } from './discovery/scope';
import { evaluateHosts } from './evaluate';
import { parseHostQuery, type HostQuery } from './host-query';
import { urlPortFinding } from './checks/network/url-port';
import { hostStatus, requestsBetween, type Report, canonicalId } from './model';
import { buildReport } from './report/build';

export class BadHostInputError extends RequestError {
  readonly code = 'BadHost';
  readonly status = 400;
  readonly exitCode = 2;
}

export class OutOfScopeError extends RequestError {
  readonly code = 'OutOfScope';
  readonly status = 403;
  readonly exitCode = 2;
}

/** The host could not be looked up because part of the scope was unreadable: not a "not found" (HTTP 503, CLI 3). */
export class LookupIncompleteError extends RequestError {
  readonly code = 'LookupIncomplete';
  readonly status = 503;
  readonly exitCode = 3;
  override get publicMessage(): string {
    return 'the host could not be looked up: part of the scope could not be read (Resource Graph or ARM did not answer); try again';
  }
}

export interface OnDemandDeps {
  azure: AzureContext;
  settings: Settings;
  now?: Date;
  abortSignal?: AbortSignal;
}

/** Is this subscription inside TBMON_SCOPE? (`all`: every subscription the identity can read.) */
async function inScope(deps: OnDemandDeps, subscriptionId: string): Promise<boolean> {
  const plan = await planScope(deps.azure, deps.settings.scope, deps.abortSignal);
  return plan.subscriptions === null || plan.subscriptions.includes(canonicalId(subscriptionId));
}

/** Checks one host now; `q` is what a person pasted, parsed by parseOrThrow (the adapter names the input). */
export async function checkHostNow(q: HostQuery, deps: OnDemandDeps): Promise<Report> {
  const started = performance.now();
  const before = deps.azure.counter.snapshot();
  if ((q.kind === 'id' || q.kind === 'job') && !(await inScope(deps, q.subscriptionId))) {
    throw new OutOfScopeError(`subscription ${q.subscriptionId} is outside TBMON_SCOPE (${describeScope(deps.settings)})`);
  }
  const errors: Report['errors'] = [];
  let host;
  try {
    host = await findHost({ azure: deps.azure, settings: deps.settings, errors, now: deps.now ?? new Date() }, q, { abortSignal: deps.abortSignal });
  } catch (e) {
    // Nothing found while part of the scope could not be read is not "does not exist": the host may be right there.
    if (e instanceof HostNotFoundError && errors.length) {
      throw new LookupIncompleteError(`${e.message}, but the lookup is incomplete: ${errors.map((x) => `${x.scope}: ${x.message}`).join('; ')}`);
    }
    throw e;
  }
  const result = await evaluateHosts([host], { azure: deps.azure, settings: deps.settings, mode: 'on-demand', now: deps.now, abortSignal: deps.abortSignal });
  if (q.kind === 'url') {
    // The port the pasted URL asks for is itself a cause of a 502 when it is not the one TensorBoard is reachable on.
    const reading = q.readings.find((r) => r.instance === host.name.toLowerCase());
    for (const r of result.reports) {
      const finding = reading ? urlPortFinding({ url: q.url, form: q.form, reading }, r.host) : null;
      if (finding) {
        r.checks = [finding, ...r.checks];
        r.status = hostStatus(r.checks);
      }
    }
  }
  const requests = requestsBetween(before, deps.azure.counter.snapshot());
  return buildReport(result.reports, {
    errors: [...errors, ...result.errors],
    stats: { durationMs: Math.round(performance.now() - started), requests },
    generatedAt: deps.now,
    hostTag: deps.settings.hostTag,
  });
}

/** The parsed query, or BadHostInputError with the parser's message. */
export function parseOrThrow(input: unknown, label?: string): HostQuery {
  const parsed = parseHostQuery(input, label);
  if (!parsed.ok) throw new BadHostInputError(parsed.message);
  return parsed.query;
}

function describeScope(settings: Settings): string {
  const s = settings.scope;
  return s.kind === 'all' ? 'all' : s.kind === 'subscriptions' ? `subscriptions:${s.subscriptionIds.join(',')}` : `managementGroup:${s.managementGroupId}`;
}
