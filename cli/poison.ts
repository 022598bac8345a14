// `tbmon poison list | requeue <id>… | drop <id>…` — the app's poison queues (tb-evaluate-poison, tb-alerts-poison)
// against the storage in AzureWebJobsStorage (a connection string, or AzureWebJobsStorage__accountName with az login /
// a managed identity), so a `degraded` health can be cleared without Storage Explorer. shared/poison.ts does the work.
import { appEnvironment } from '../shared/app';
import { ConfigError } from '../shared/config';
import { actOnPoison, listPoison, POISONABLE_QUEUES, type PoisonQueues } from '../shared/poison';
import type { StorageClients } from '../shared/storage';
import { subcommandUsage, type SubcommandIo } from './args';

export const POISON_USAGE = `  tbmon poison list [--format table|json]
  tbmon poison requeue <message-id>… | --all
  tbmon poison drop    <message-id>… | --all`;

function usage(io: SubcommandIo, message: string): number {
  return subcommandUsage(io, 'poison', POISON_USAGE, message);
}

function oneLine(value: unknown, max = 120): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export async function runPoison(argv: readonly string[], io: SubcommandIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'list' && action !== 'requeue' && action !== 'drop') return usage(io, action ? `unknown action "${action}" (list, requeue, drop)` : 'say what to do: list, requeue or drop');
  let format: 'table' | 'json' = 'table';
  let all = false;
  const ids: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (v !== 'table' && v !== 'json') return usage(io, `--format must be table or json, not "${v ?? ''}"`);
      if (action !== 'list') return usage(io, `--format is for list; ${action} prints what it did`);
      format = v;
    } else if (a === '--all') {
      if (action === 'list') return usage(io, '--all is for requeue and drop (list shows every queue)');
      all = true;
    } else if (a.startsWith('-')) return usage(io, `unknown option ${a}`);
    else ids.push(a);
  }
  if (action === 'list' && ids.length) return usage(io, `list takes no message id ("${ids[0]}")`);
  if (action !== 'list' && all === (ids.length > 0)) return usage(io, `${action} needs the ids of the messages (from tbmon poison list) or --all, not both`);

  let storage: StorageClients;
  try {
    storage = appEnvironment(io.env).storage;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`tbmon poison: ${e.message}\n(set AzureWebJobsStorage to the app's storage: a connection string, or AzureWebJobsStorage__accountName with az login)\n`);
      return 2;
    }
    throw e;
  }
  const queues: PoisonQueues = { queues: POISONABLE_QUEUES.map((source) => ({ source, queue: storage.queue(source), poison: storage.queue(`${source}-poison`) })) };
  try {
    if (action === 'list') {
      const listing = await listPoison(queues);
      if (format === 'json') {
        io.stdout(`${JSON.stringify(listing, null, 2)}\n`);
        return 0;
      }
      for (const c of listing.counts) io.stdout(`${c.queue}: ${c.messages} message${c.messages === 1 ? '' : 's'}\n`);
      for (const m of listing.messages) {
        io.stdout(`\n${m.id}  (${m.queue}${m.insertedOn ? `, since ${m.insertedOn.replace(/\.\d{3}Z$/, 'Z')}` : ''})\n  why:     ${m.reason}\n  message: ${oneLine(m.message)}\n`);
      }
      const shown = listing.messages.length;
      const total = listing.counts.reduce((n, c) => n + c.messages, 0);
      if (total > shown) io.stdout(`\n(showing ${shown} of about ${total}: a queue lists at most 32 messages at a time; requeue or drop some to see more)\n`);
      if (shown) io.stdout(`\nrequeue: tbmon poison requeue <id>…   drop: tbmon poison drop <id>…   (or --all)\n`);
      return 0;
    }
    const result = await actOnPoison(queues, action, all ? 'all' : ids);
    const verb = action === 'requeue' ? 'requeued' : 'dropped';
    io.stdout(`${verb} ${result.done.length} message${result.done.length === 1 ? '' : 's'}${result.done.length ? `: ${result.done.join(', ')}` : ''}\n`);
    for (const r of result.refused) io.stderr(`tbmon poison: ${r.id} not requeued: ${r.reason}\n`);
    if (result.notFound.length) io.stderr(`tbmon poison: no poison message with id ${result.notFound.join(', ')} (see tbmon poison list)\n`);
    return result.notFound.length || result.refused.length ? 2 : 0;
  } catch (e) {
    io.stderr(`tbmon poison: the app's storage could not be read: ${(e as Error).message.split('\n')[0]}\n`);
    return 3;
  }
}
