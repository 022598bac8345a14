// Fault injection (SANDBOX.md § faults): the first rule that matches the request and still has `times` left applies
// and counts down. `*` in a rule's path stands for exactly one path segment, `**` for one or more; paths compare
// case-insensitively.
// A rule with `chance` applies to that share of its requests, drawn from a generator seeded by the tenant's
// `faultSeed`: the same tenant and the same requests meet the same faults on every run.
import { mulberry32 } from './random';
import type { FaultRule } from './tenant-types';

export class FaultTable {
  private readonly rules: { rule: FaultRule; left: number; pattern: RegExp }[];
  private readonly draw: () => number;

  constructor(rules: readonly FaultRule[] = [], seed = 1) {
    this.rules = rules.map((rule) => ({ rule, left: rule.times ?? Infinity, pattern: compile(rule.path) }));
    this.draw = mulberry32(seed);
  }

  /** The rule to apply to this request (counted down), if any. */
  take(method: string, path: string): FaultRule | undefined {
    const hit = this.rules.find((r) => r.left > 0 && (!r.rule.method || r.rule.method.toUpperCase() === method) && r.pattern.test(path)
      && (r.rule.chance === undefined || this.draw() < r.rule.chance));
    if (!hit) return undefined;
    hit.left -= 1;
    return hit.rule;
  }
}

function compile(glob: string): RegExp {
  const parts = glob.split('?')[0].split('/').map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^/]+' : seg.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}/?$`, 'i');
}

/** ARM-style error code for a status a fault injects without naming one. */
export function defaultErrorCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'BadRequest', 401: 'AuthenticationFailed', 403: 'AuthorizationFailed', 404: 'ResourceNotFound', 409: 'Conflict',
    429: 'TooManyRequests', 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
  };
  return codes[status] ?? `Http${status}`;
}
