// Log Analytics on the engine: typed tables, the request timespan against the tenant clock, the answer's shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KqlError, runLogAnalyticsQuery, type LogAnalyticsResponse } from '../../sandbox/kql';
import { isoDuration, parseTimespan } from '../../sandbox/kql/log-analytics';
import type { Tenant } from '../../sandbox/tenant-types';

const WS = '33333333-3333-3333-3333-333333333333';
const WS2 = '44444444-4444-4444-4444-444444444444';
const EMPTY = '55555555-5555-5555-5555-555555555555';

function tenant(): Tenant {
  return {
    now: '2026-11-26T06:00:00Z',
    subscriptions: [],
    resources: [],
    logAnalytics: {
      [WS]: {
        resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/la-1',
        tables: {
          Syslog: [
            { TimeGenerated: '2026-11-26T05:40:00Z', Computer: 'ci-1', Facility: 'user', ProcessName: 'tensorboard', SeverityLevel: 'err', SyslogMessage: 'TensorBoard could not bind to port 6006, it was already in use', ProcessID: 4242 },
            { TimeGenerated: '2026-11-26T04:30:00Z', Computer: 'ci-1', Facility: 'kern', SeverityLevel: 'warning', SyslogMessage: 'Out of memory: Killed process 4242 (tensorboard)' },
            { TimeGenerated: '2026-11-24T06:00:00Z', Computer: 'ci-2', Facility: 'user', SeverityLevel: 'info', SyslogMessage: 'old' },
          ],
          Heartbeat: [{ TimeGenerated: '2026-11-26T05:59:00Z', Computer: 'ci-1', ComputerPrivateIPs: ['10.0.1.4'], IsGatewayInstalled: false }],
          TbProbe_CL: [
            { TimeGenerated: '2026-11-26T05:55:00Z', Host_s: 'ci-1', Port_d: 6006, Latency: 12.5, Ok: true, Detail: { code: 502 }, SeenAt: '2026-11-26T05:55:01Z' },
            { TimeGenerated: '2026-11-26T05:56:00Z', Host_s: 'ci-2', Port_d: 6006, Latency: 3, Ok: false, Detail: null, SeenAt: '2026-11-26T05:56:01Z' },
          ],
        },
      },
      [WS2]: { tables: { Syslog: [{ TimeGenerated: '2026-11-26T05:30:00Z', Computer: 'ci-9', SyslogMessage: 'from the other workspace' }] } },
      [EMPTY]: { tables: { Syslog: [] } },
    },
  };
}

function run(query: string, extra: { timespan?: string; workspaces?: string[] } = {}, t = tenant()): LogAnalyticsResponse {
  const res = runLogAnalyticsQuery(t, WS, { query, ...extra });
  assert.ok(res, 'expected a 200 answer');
  return res;
}

const rowsOf = (res: LogAnalyticsResponse) => res.tables[0].rows;

describe('Log Analytics: typed tables', () => {
  it('answers one PrimaryResult table in Log Analytics shape', () => {
    const res = run("Syslog | where SyslogMessage has 'tensorboard' | project TimeGenerated, Computer, ProcessID | order by TimeGenerated desc");
    assert.deepEqual(res, {
      tables: [{
        name: 'PrimaryResult',
        columns: [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'Computer', type: 'string' }, { name: 'ProcessID', type: 'int' }],
        rows: [['2026-11-26T05:40:00Z', 'ci-1', 4242], ['2026-11-26T04:30:00Z', 'ci-1', null]],
      }],
    });
  });

  it('a known table has every schema column: missing ones are null (strings empty), typed as the schema says', () => {
    const res = run('Syslog | take 1');
    const cols = Object.fromEntries(res.tables[0].columns.map((c) => [c.name, c.type]));
    assert.equal(cols.EventTime, 'datetime');
    assert.equal(cols.ProcessID, 'int');
    assert.equal(cols._BilledSize, 'real');
    assert.equal(cols.HostIP, 'string');
    const row = Object.fromEntries(res.tables[0].columns.map((c, i) => [c.name, rowsOf(res)[0][i]]));
    assert.equal(row.EventTime, null);
    assert.equal(row.HostIP, '');
  });

  it('Type is the table name and TenantId the workspace id, as Log Analytics fills them', () => {
    assert.deepEqual(rowsOf(run('Syslog | take 1 | project Type, TenantId')), [['Syslog', WS]]);
    assert.deepEqual(rowsOf(run('TbProbe_CL | take 1 | project Type')), [['TbProbe_CL']]);
  });

  it('dynamic cells are JSON text, as Log Analytics sends them', () => {
    const res = run('Heartbeat | project ComputerPrivateIPs, ip = tostring(ComputerPrivateIPs[0]), IsGatewayInstalled');
    assert.deepEqual(res.tables[0].columns.map((c) => c.type), ['dynamic', 'string', 'bool']);
    assert.deepEqual(rowsOf(res), [['["10.0.1.4"]', '10.0.1.4', false]]);
  });

  it('a custom *_CL table is typed from its values', () => {
    const res = run('TbProbe_CL | take 1');
    assert.deepEqual(res.tables[0].columns, [
      { name: 'TimeGenerated', type: 'datetime' }, { name: 'Host_s', type: 'string' }, { name: 'Port_d', type: 'long' },
      { name: 'Latency', type: 'real' }, { name: 'Ok', type: 'bool' }, { name: 'Detail', type: 'dynamic' },
      { name: 'SeenAt', type: 'datetime' }, { name: 'Type', type: 'string' },
    ]);
    assert.deepEqual(rowsOf(res)[0], ['2026-11-26T05:55:00Z', 'ci-1', 6006, 12.5, true, '{"code":502}', '2026-11-26T05:55:01Z', 'TbProbe_CL']);
  });

  it('summarize types: count() is long, avg real, max keeps the column type', () => {
    const res = run('TbProbe_CL | summarize n = count(), a = avg(Latency), lastSeen = max(TimeGenerated), codes = make_set(Detail.code)');
    assert.deepEqual(res.tables[0].columns.map((c) => c.type), ['long', 'real', 'datetime', 'dynamic']);
    assert.deepEqual(rowsOf(res), [[2, 7.75, '2026-11-26T05:56:00Z', '[502]']]);
  });

  it('a table the workspace lacks: an error, unless union isfuzzy=true skips it', () => {
    assert.throws(() => run('Perf | take 1'), (e: unknown) => e instanceof KqlError && e.status === 400 && /'Perf'/.test(e.message));
    const res = run('union isfuzzy=true Perf, Syslog | summarize n = count()');
    assert.deepEqual(rowsOf(res), [[3]]);
  });
});

describe('Log Analytics: time', () => {
  it('the request timespan bounds TimeGenerated against the tenant clock', () => {
    assert.deepEqual(rowsOf(run('Syslog | count', { timespan: 'PT1H' })), [[1]]);
    assert.deepEqual(rowsOf(run('Syslog | count', { timespan: 'PT2H' })), [[2]]);
    assert.deepEqual(rowsOf(run('Syslog | count', { timespan: 'P7D' })), [[3]]);
    assert.deepEqual(rowsOf(run('Syslog | count')), [[3]], 'no timespan: all data');
  });

  it('start/end and start/duration timespans', () => {
    assert.deepEqual(rowsOf(run('Syslog | project Computer', { timespan: '2026-11-24T00:00:00Z/2026-11-25T00:00:00Z' })), [['ci-2']]);
    assert.deepEqual(rowsOf(run('Syslog | count', { timespan: '2026-11-26T04:00:00.000Z/PT1H' })), [[1]]);
    assert.deepEqual(rowsOf(run('Syslog | count', { timespan: 'PT1H/2026-11-26T05:00:00Z' })), [[1]]);
  });

  it('ago() and now() read the tenant clock, which moves', () => {
    const t = tenant();
    assert.deepEqual(rowsOf(run('Syslog | where TimeGenerated > ago(30m) | count', {}, t)), [[1]]);
    t.now = '2026-11-26T07:00:00Z';
    assert.deepEqual(rowsOf(run('Syslog | where TimeGenerated > ago(30m) | count', {}, t)), [[0]]);
    assert.deepEqual(rowsOf(run('print t = now()', {}, t)), [['2026-11-26T07:00:00Z']]);
  });

  it('a tabular let is evaluated afresh on every run of the same query text', () => {
    const t = tenant();
    const q = 'let recent = Syslog | where TimeGenerated > ago(30m); recent | count';
    assert.deepEqual(rowsOf(run(q, {}, t)), [[1]]);
    t.now = '2026-11-26T07:00:00Z';
    assert.deepEqual(rowsOf(run(q, {}, t)), [[0]]);
  });

  it('the timespan and a where on time combine', () => {
    assert.deepEqual(rowsOf(run('Syslog | where TimeGenerated < ago(1h) | count', { timespan: 'PT2H' })), [[1]]);
  });

  it('a bad timespan is a 400', () => {
    assert.throws(() => run('Syslog', { timespan: 'yesterday' }), (e: unknown) => e instanceof KqlError && e.status === 400);
  });

  it('ISO 8601 durations', () => {
    assert.equal(isoDuration('PT1H'), 3_600_000);
    assert.equal(isoDuration('P1DT2H30M'), 95_400_000);
    assert.equal(isoDuration('P2W'), 14 * 86_400_000);
    assert.equal(isoDuration('PT0.5S'), 500);
    assert.equal(isoDuration('P'), null);
    assert.equal(isoDuration('1h'), null);
    assert.deepEqual(parseTimespan('PT1H', Date.parse('2026-11-26T06:00:00Z')), [Date.parse('2026-11-26T05:00:00Z'), Date.parse('2026-11-26T06:00:00Z')]);
  });
});

describe('Log Analytics: workspaces', () => {
  it('a workspace with no data answers null (the route sends 204)', () => {
    assert.equal(runLogAnalyticsQuery(tenant(), EMPTY, { query: 'Syslog | take 1' }), null);
  });

  it('an unknown workspace is a 404', () => {
    assert.throws(() => runLogAnalyticsQuery(tenant(), '66666666-6666-6666-6666-666666666666', { query: 'Syslog' }),
      (e: unknown) => e instanceof KqlError && e.status === 404);
  });

  it('additional workspaces add their rows to the same tables', () => {
    const res = run('Syslog | summarize n = count() by Computer | order by Computer asc', { workspaces: [WS2], timespan: 'PT1H' });
    assert.deepEqual(rowsOf(res), [['ci-1', 1], ['ci-9', 1]]);
  });

  it('an unsupported operator is a 400 naming it', () => {
    assert.throws(() => run('Syslog | render timechart'), (e: unknown) => e instanceof KqlError && e.status === 400 && /render/.test(e.message));
    assert.throws(() => run("Syslog | extend x = parse_url('http://a')"), (e: unknown) => e instanceof KqlError && e.status === 400 && /parse_url/.test(e.message));
  });
});
