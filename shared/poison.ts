// The poison queues an operator can act on (`tbmon poison list | requeue | drop`): tb-evaluate-poison and
// tb-alerts-poison hold messages the app gave up on — ones that never validated (tbmon wrapped them as
// `{reason, message}`) and ones the Functions host moved after maxDequeueCount failed attempts (the text as it was,
// no reason: the failures are in the app's logs). Listing only peeks (nothing changes); requeue and drop take the
// messages named by id (or all): requeue sends the original message back to its queue, then deletes the poison copy.
//
// Azure queues have no "get by id": a message is found by receiving it (which hides it for a visibility timeout).
// Messages received but not named are made visible again at once, so nothing else waits on them.
import type { QueueClient } from '@azure/storage-queue';
import { decodeQueueMessage, encodeQueueMessage, ensureQueue, isNotFound } from './storage';

/** The app's queues that have a poison queue. */
export const POISONABLE_QUEUES = ['tb-evaluate', 'tb-alerts'] as const;
export type PoisonableQueue = (typeof POISONABLE_QUEUES)[number];

export interface PoisonMessage {
  /** The poison queue it sits in. */
  queue: string;
  /** The queue it came from (where requeue sends it). */
  source: PoisonableQueue;
  id: string;
  insertedOn: string | null;
  /** Why it is here: tbmon's reason, or the host's (failed maxDequeueCount times). */
  reason: string;
  /** The original message as the handler saw it (decoded JSON), for people to read; never sent anywhere. */
  message: unknown;
}

export interface PoisonQueues {
  /** Source queue → its client and its poison queue's client. */
  queues: readonly { source: PoisonableQueue; queue: QueueClient; poison: QueueClient }[];
}

const HOST_REASON = 'the Functions host moved it after its attempts failed (maxDequeueCount in host.json); the errors are in the app\'s logs';
/** Azure's most per peek/receive. */
const PAGE = 32;
/** Hidden while we look for named messages; those not named are made visible again at once. */
const LOOK_TIMEOUT_S = 30;

interface Unwrapped {
  reason: string;
  message: unknown;
  /** The text to put back on the source queue. */
  originalText: string;
}

/** tbmon's `{reason, message}` wrapper, or a message the host moved as it was. */
function unwrap(text: string): Unwrapped {
  const decoded = decodeQueueMessage(text);
  if (decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded)) {
    const d = decoded as { reason?: unknown; message?: unknown };
    if (typeof d.reason === 'string' && 'message' in d) {
      const truncated = d.message !== null && typeof d.message === 'object' && 'truncatedJson' in (d.message as object);
      return {
        reason: d.reason, message: d.message,
        // A message too large to keep whole cannot be put back as it was; requeue refuses it (see requeuePoison).
        originalText: truncated ? '' : encodeQueueMessage(d.message),
      };
    }
  }
  return { reason: HOST_REASON, message: decoded, originalText: text };
}

export interface PoisonListing {
  messages: PoisonMessage[];
  /** Per poison queue: approximate message count (the listing shows at most 32 of each). */
  counts: { queue: string; messages: number }[];
}

/** Peeks at each poison queue (nothing changes). */
export async function listPoison(q: PoisonQueues): Promise<PoisonListing> {
  const messages: PoisonMessage[] = [];
  const counts: { queue: string; messages: number }[] = [];
  for (const { source, poison } of q.queues) {
    let peeked;
    try {
      counts.push({ queue: poison.name, messages: (await poison.getProperties()).approximateMessagesCount ?? 0 });
      peeked = await poison.peekMessages({ numberOfMessages: PAGE });
    } catch (e) {
      if (isNotFound(e)) {
        counts.push({ queue: poison.name, messages: 0 });
        continue;
      }
      throw e;
    }
    for (const m of peeked.peekedMessageItems) {
      const u = unwrap(m.messageText);
      messages.push({ queue: poison.name, source, id: m.messageId, insertedOn: m.insertedOn?.toISOString() ?? null, reason: u.reason, message: u.message });
    }
  }
  return { messages, counts };
}

export interface PoisonActionResult {
  /** Ids acted on. */
  done: string[];
  /** Ids named but not found in any poison queue. */
  notFound: string[];
  /** Ids that could not be requeued, with why (they stay in the poison queue). */
  refused: { id: string; reason: string }[];
}

/**
 * Requeues (`requeue`) or deletes (`drop`) the poison messages with the given ids, or every one with `ids: 'all'`.
 * Requeue sends the original message to its source queue first and deletes the poison copy after, so a crash between
 * the two leaves a copy in both (the evaluate and alert handlers are idempotent) rather than in neither.
 */
export async function actOnPoison(q: PoisonQueues, action: 'requeue' | 'drop', ids: readonly string[] | 'all'): Promise<PoisonActionResult> {
  const wanted = ids === 'all' ? null : new Set(ids);
  const done: string[] = [];
  const refused: { id: string; reason: string }[] = [];
  for (const { queue, poison } of q.queues) {
    if (wanted && wanted.size === 0) break;
    // Messages not named stay hidden while the search goes on (else the next receive would return them again), and
    // are made visible again as soon as it ends.
    const passedOver: { id: string; popReceipt: string }[] = [];
    try {
      for (;;) {
        let received;
        try {
          received = await poison.receiveMessages({ numberOfMessages: PAGE, visibilityTimeout: LOOK_TIMEOUT_S });
        } catch (e) {
          if (isNotFound(e)) break;
          throw e;
        }
        const items = received.receivedMessageItems;
        if (items.length === 0) break;
        for (const m of items) {
          if (wanted && !wanted.has(m.messageId)) {
            passedOver.push({ id: m.messageId, popReceipt: m.popReceipt });
            continue;
          }
          wanted?.delete(m.messageId);
          if (action === 'requeue') {
            const u = unwrap(m.messageText);
            if (!u.originalText) {
              refused.push({ id: m.messageId, reason: 'the original message was too large to keep whole, so it cannot be put back; drop it' });
              passedOver.push({ id: m.messageId, popReceipt: m.popReceipt });
              continue;
            }
            await ensureQueue(queue);
            await queue.sendMessage(u.originalText);
          }
          await poison.deleteMessage(m.messageId, m.popReceipt);
          done.push(m.messageId);
        }
        if (wanted && wanted.size === 0) break;
      }
    } finally {
      for (const m of passedOver) await poison.updateMessage(m.id, m.popReceipt, undefined, 0);
    }
  }
  return { done, notFound: wanted ? [...wanted] : [], refused };
}
