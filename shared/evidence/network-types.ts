// What network checks read about a host's path (issue 5). Resources are kept in Azure's own JSON shapes (as ARM
// and Resource Graph return them) so checks parse exactly what Azure said; the gatherer only links them up.
import type { Gathered } from '../model';
import type { ServiceTagEntry } from '../nsg/address-space';

/** An ARM resource (or a subnet inside its VNet) as ARM / Resource Graph return it. */
export interface ArmObject {
  id: string;
  name?: string;
  type?: string;
  location?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A reference that may not resolve: the object, `null` when nothing is referenced, or why it could not be read. */
export type Ref<T> = { state: 'none' } | { state: 'found'; value: T } | { state: 'unreadable'; id: string; reason: string };

export interface SubnetEvidence {
  id: string;
  /** The subnet object (from its VNet's `properties.subnets[]`). */
  subnet: ArmObject;
  /** The VNet: address space and peerings (their `remoteAddressSpace`). */
  vnet: ArmObject;
  nsg: Ref<ArmObject>;
  routeTable: Ref<ArmObject>;
}

export interface NicEvidence {
  nic: ArmObject;
  nsg: Ref<ArmObject>;
  /** The subnet of the NIC's primary IP configuration. */
  subnet: Ref<SubnetEvidence>;
}

export interface NetworkEvidence {
  /** Compute hosts: the compute's subnet (`none` when the compute is not in a customer VNet). */
  subnet: Ref<SubnetEvidence>;
  /** VM hosts: every NIC (unreadable ones say why). */
  nics: Ref<NicEvidence>[];
  /** Load balancers whose backend pools hold one of the host's NIC IP configurations. */
  loadBalancers: ArmObject[];
  /** The ML workspace (compute hosts): `privateEndpointConnections`. */
  workspace: Ref<ArmObject>;
  /** Compute instance `properties.properties.customServices`; null when not read (or not a compute instance). */
  customServices: unknown[] | null;
  /** The region's service tags (Service Tags API), read once per sweep. */
  serviceTags: Gathered<ServiceTagEntry[]>;
  /** Where the resources were read: Resource Graph (batch) or ARM (on demand, or the fallback). */
  source: 'resourceGraph' | 'arm';
}
