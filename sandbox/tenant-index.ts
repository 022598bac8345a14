// Lookups ARM answers need, built once per tenant: resources by id and by the collection URL that lists them,
// case-insensitively (ARM paths are). Rebuilt when a test replaces the tenant.
import type { ArmResource, Tenant, TenantSubscription } from './tenant-types';

export interface ResourceGroupInfo {
  id: string;
  name: string;
  subscriptionId: string;
  location?: string;
}

export class TenantIndex {
  readonly byId = new Map<string, ArmResource>();
  /** Collection path (lower-case) → resources listed there, in tenant order. */
  readonly collections = new Map<string, ArmResource[]>();
  readonly subscriptions = new Map<string, TenantSubscription>();
  readonly resourceGroups = new Map<string, ResourceGroupInfo>();

  constructor(readonly tenant: Tenant) {
    for (const s of tenant.subscriptions) this.subscriptions.set(s.subscriptionId.toLowerCase(), s);
    for (const r of tenant.resources) this.add(r);
  }

  private add(r: ArmResource): void {
    const id = r.id.toLowerCase();
    this.byId.set(id, r);
    const segs = r.id.split('/').filter(Boolean);
    // The collection that lists this resource: its id without the name.
    this.push(`/${segs.slice(0, -1).join('/')}`, r);
    if (segs.length >= 4 && segs[0].toLowerCase() === 'subscriptions' && segs[2].toLowerCase() === 'resourcegroups') {
      const sub = segs[1];
      const rgKey = `/subscriptions/${sub}/resourcegroups/${segs[3]}`.toLowerCase();
      if (!this.resourceGroups.has(rgKey)) {
        this.resourceGroups.set(rgKey, { id: `/subscriptions/${sub}/resourceGroups/${segs[3]}`, name: segs[3], subscriptionId: sub, location: r.location });
      }
      if (segs.length === 8 && segs[4].toLowerCase() === 'providers') {
        // A top-level type is also listed per subscription: /subscriptions/{s}/providers/{ns}/{type}.
        this.push(`/subscriptions/${sub}/providers/${segs[5]}/${segs[6]}`, r);
        this.push(`/subscriptions/${sub}/resourcegroups/${segs[3]}/resources`, r);
        this.push(`/subscriptions/${sub}/resources`, r);
      }
    }
  }

  private push(collection: string, r: ArmResource): void {
    const key = collection.toLowerCase();
    const list = this.collections.get(key);
    if (list) list.push(r);
    else this.collections.set(key, [r]);
  }

  resource(id: string): ArmResource | undefined {
    return this.byId.get(id.toLowerCase());
  }

  subscription(id: string): TenantSubscription | undefined {
    return this.subscriptions.get(id.toLowerCase());
  }

  resourceGroup(subscriptionId: string, name: string): ResourceGroupInfo | undefined {
    return this.resourceGroups.get(`/subscriptions/${subscriptionId}/resourcegroups/${name}`.toLowerCase());
  }
}
