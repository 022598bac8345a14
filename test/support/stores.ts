// The sweep's stores on the test storage — ledger, inventory, outbox, reports and the two queues — each under a name
// of its own, on the clock given.
import { StorageClients } from '../../shared/storage';
import { HostInventory } from '../../shared/state/inventory';
import { Outbox } from '../../shared/state/outbox';
import { ReportStore } from '../../shared/state/reports';
import { SweepLedger } from '../../shared/state/sweeps';
import { TEST_RETRY, testTable, uniqueName } from './env';

export function sweepStores(connectionString: string, now: () => Date, { historyDays = 30 } = {}) {
  const table = (name: string) => testTable(connectionString, uniqueName(name));
  const clients = new StorageClients({ kind: 'connectionString', connectionString }, { retry: TEST_RETRY });
  return {
    /** A further table of its own (a store the test builds itself). */
    table,
    ledger: new SweepLedger(table('sweeps'), { now }),
    inventory: new HostInventory(table('inventory')),
    outbox: new Outbox(table('outbox'), { now }),
    reports: new ReportStore(table('reports'), table('history'), { historyDays, now }),
    evaluateQueue: clients.queue(uniqueName('tbevaluate')),
    alertsQueue: clients.queue(uniqueName('tbalerts')),
  };
}
