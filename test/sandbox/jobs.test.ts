// The sandbox's Jobs_List (…/workspaces/{ws}/jobs) through the real ML client: listViewType (ActiveOnly hides only
// archived jobs, ArchivedOnly shows only them, All both), newest first, nextLink pages with $skip, and Resource
// Graph never indexing jobs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { azureContextFor, loadTenant, startTestSandbox, type RunningSandbox } from '../support/sandbox';

const SUB = '1b2c3d4e-0001-4a5b-8c9d-0e1f2a3b4c01';
let sandbox: RunningSandbox;
before(async () => {
  sandbox = await startTestSandbox(loadTenant('contoso'), { armPageSize: 2 });
});
after(() => sandbox.close());

async function names(listViewType: 'ActiveOnly' | 'ArchivedOnly' | 'All' | undefined): Promise<string[]> {
  const out: string[] = [];
  const jobs = azureContextFor(sandbox).ml(SUB).jobs.list('rg-ml-prod', 'mlw-prod', listViewType ? { listViewType } : {});
  for await (const j of jobs) out.push(j.name ?? '');
  return out;
}

test('Jobs_List: ActiveOnly (and the default) hides archived jobs, newest first; ArchivedOnly and All', async () => {
  const active = await names('ActiveOnly');
  assert.deepEqual(active, ['train-no-services', 'tb-train-resnet', 'tb-sweep-bert', 'tb-nightly-eval', 'tb-long-pretrain']);
  assert.deepEqual(await names(undefined), active);
  assert.deepEqual(await names('ArchivedOnly'), ['tb-archived-probe']);
  assert.equal((await names('All')).length, 6);
});

test('Jobs_List pages by nextLink ($skip) and a job reads by id; Resource Graph has no jobs', async () => {
  sandbox.clearRequests();
  await names('All');
  const lists = sandbox.requests().filter((r) => /\/jobs$/i.test(r.path));
  assert.equal(lists.length, 3, '6 jobs by 2');
  const job = await azureContextFor(sandbox).ml(SUB).jobs.get('rg-ml-prod', 'mlw-prod', 'tb-sweep-bert');
  assert.equal(job.properties.services?.tb?.status, 'Failed');
  const graph = await azureContextFor(sandbox).resourceGraph().resources({ query: "resources | where type =~ 'microsoft.machinelearningservices/workspaces/jobs' | count" });
  assert.deepEqual((graph.data as { Count: number }[])[0]?.Count, 0);
});
