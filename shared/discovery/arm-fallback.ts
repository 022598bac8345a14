// The ARM path for one ML workspace's computes: used when Resource Graph holds none of them, or holds them without
// their runtime fields. Read raw with a current api-version — the ML SDK's models drop `customServices` — and
// paged by nextLink.
import { API_VERSIONS, type AzureContext } from '../azure';
import type { RawResource } from './identify';

export async function listWorkspaceComputes(azure: AzureContext, workspaceId: string, abortSignal?: AbortSignal): Promise<RawResource[]> {
  const out: RawResource[] = [];
  for await (const page of azure.armListPages<RawResource>(`${workspaceId}/computes`, API_VERSIONS.machineLearning, abortSignal)) {
    for (const c of page) if (c && typeof c.id === 'string') out.push({ ...c, type: c.type ?? 'Microsoft.MachineLearningServices/workspaces/computes' });
  }
  return out;
}
