// What the scope inventory query (queries.ts) says about a scope: which subscriptions Graph could read, the ML
// workspaces and whether Graph holds their computes completely, and Log Analytics customer ids by ARM id.
import { isGuid } from '../config';
import { parseResourceId } from './ids';
import { canonicalId } from '../model';

export interface MlWorkspaceRow {
  id: string;
  subscriptionId: string;
  /** The workspace's region ('' when Graph gave none): a job service's host location. */
  location?: string;
}

export class ScopeInventory {
  /** Subscriptions (lower-cased) Resource Graph has a row for. */
  readonly subscriptions = new Set<string>();
  /** ML workspaces by lower-cased id. */
  readonly mlWorkspaces = new Map<string, MlWorkspaceRow>();
  /** Log Analytics ARM id (lower-cased) → customer id. */
  readonly logAnalytics = new Map<string, string>();
  private readonly computes = new Map<string, { total: number; incomplete: number }>();

  add(rows: readonly Record<string, unknown>[]): void {
    for (const r of rows) {
      const id = typeof r.id === 'string' ? r.id : '';
      const sub = canonicalId(String(r.subscriptionId ?? parseResourceId(id)?.subscriptionId ?? ''));
      switch (r.rowKind) {
        case 'subscription':
          if (sub) this.subscriptions.add(sub);
          break;
        case 'mlWorkspace':
          if (id) this.mlWorkspaces.set(canonicalId(id), { id, subscriptionId: sub, location: typeof r.location === 'string' ? r.location : '' });
          break;
        case 'logAnalytics':
          if (id && typeof r.customerId === 'string' && isGuid(r.customerId)) this.logAnalytics.set(canonicalId(id), canonicalId(r.customerId));
          break;
        case 'computeSummary': {
          if (!id) break;
          const c = this.computes.get(canonicalId(id)) ?? { total: 0, incomplete: 0 };
          const n = Number(r.computes ?? 0);
          c.total += n;
          if (r.complete === 'no') c.incomplete += n;
          this.computes.set(canonicalId(id), c);
          break;
        }
        default:
          break;
      }
    }
  }

  /**
   * True when an ML workspace's computes must be read through ARM: Graph holds none of them (it may not index
   * computes at all, or not yet), or holds compute instances without their runtime state.
   */
  needsArmFallback(workspaceId: string): boolean {
    const c = this.computes.get(canonicalId(workspaceId));
    return !c || c.total === 0 || c.incomplete > 0;
  }
}
