// Storage-queue triggers on Azurite, as the Functions host runs them: poll with back-off up to maxPollingInterval,
// receive up to batchSize (again once no more than newBatchThreshold are running), decode base64 (text that is not
// base64 goes straight to poison, as with the host's queue extension v5), invoke; delete on success; on failure make the message visible again after visibilityTimeout, and once it has been tried
// maxDequeueCount times move its text to `<queue>-poison`. Message bodies are never logged (they may carry secrets).
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { QueueRegistration } from '../functions/registration';
import { decodeHostQueueMessage, ensureQueue, parseJsonOrText } from '../shared/storage';
import type { QueueHostOptions } from './host-config';
import { errorText, invocationContext, withTimeout, type DevLog } from './invocation';

const MIN_POLL_MS = 100;
// While a handler runs its message stays invisible, as the host keeps it (the host renews; we take the longest run).
const MAX_VISIBILITY_S = 7 * 24 * 3600;

export class QueueDriver {
  private inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private kicked = false;
  private poisonReady = false;
  private pollError: string | undefined;

  constructor(
    readonly reg: QueueRegistration,
    readonly queueName: string,
    private readonly queue: QueueClient,
    private readonly poison: QueueClient,
    private readonly options: QueueHostOptions,
    private readonly log: DevLog,
    private readonly functionTimeoutMs: number,
  ) {}

  get running(): number {
    return this.inFlight.size;
  }

  async start(): Promise<void> {
    await ensureQueue(this.queue);
    this.loop = this.pollLoop();
  }

  /** Polls at once (drain and tests use it instead of waiting out the back-off). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Messages in the queue, visible or not (Azure's approximate count includes the invisible ones). */
  async pending(): Promise<number> {
    return (await this.queue.getProperties()).approximateMessagesCount ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async pollLoop(): Promise<void> {
    let delay = MIN_POLL_MS;
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.options;
    while (!this.stopped) {
      let received = 0;
      if (this.inFlight.size <= newBatchThreshold) {
        try {
          const res = await this.queue.receiveMessages({ numberOfMessages: batchSize, visibilityTimeout: this.receiveVisibilitySeconds() });
          received = res.receivedMessageItems.length;
          for (const m of res.receivedMessageItems) this.track(this.process(m));
          if (this.pollError) this.log(`[${this.reg.name}] polling ${this.queueName} works again`);
          this.pollError = undefined;
        } catch (e) {
          const text = errorText(e);
          if (text !== this.pollError) this.log(`[${this.reg.name}] polling ${this.queueName} failed: ${text}`);
          this.pollError = text;
        }
      }
      if (this.stopped) break;
      // A full batch means more may be waiting: poll again at once; an empty poll backs off (as the host does).
      delay = received > 0 ? 0 : Math.min(Math.max(delay * 2, MIN_POLL_MS), maxPollingIntervalMs);
      if (received === batchSize && this.inFlight.size <= newBatchThreshold) continue;
      if (this.kicked) {
        this.kicked = false;
        delay = MIN_POLL_MS;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, received > 0 ? MIN_POLL_MS : delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.kicked) {
        this.kicked = false;
        delay = MIN_POLL_MS;
      }
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      this.kick(); // room for the next batch
    });
  }

  private receiveVisibilitySeconds(): number {
    return Math.min(MAX_VISIBILITY_S, Math.max(30, Math.ceil(this.functionTimeoutMs / 1000) + 30));
  }

  private async process(m: DequeuedMessageItem): Promise<void> {
    const name = this.reg.name;
    const { maxDequeueCount, visibilityTimeoutMs, messageEncoding } = this.options;
    // A message already tried maxDequeueCount times (e.g. a crash mid-run) goes to poison without another attempt.
    if (m.dequeueCount > maxDequeueCount) {
      await this.moveToPoison(m, `dequeue count ${m.dequeueCount} is over maxDequeueCount ${maxDequeueCount}`);
      return;
    }
    const decoded = messageEncoding === 'base64' ? decodeHostQueueMessage(m.messageText) : { ok: true as const, value: parseJsonOrText(m.messageText) };
    if (!decoded.ok) {
      // As the host's queue extension does: retrying cannot fix the encoding, so no attempt is made.
      await this.moveToPoison(m, `${decoded.reason}; the function did not run`);
      return;
    }
    const input = decoded.value;
    const context = invocationContext(name, this.log, {
      triggerMetadata: {
        id: m.messageId,
        dequeueCount: m.dequeueCount,
        insertionTime: m.insertedOn.toISOString(),
        expirationTime: m.expiresOn.toISOString(),
        nextVisibleTime: m.nextVisibleOn.toISOString(),
        popReceipt: m.popReceipt,
      },
      options: { trigger: { type: 'queueTrigger', name: 'queueItem', queueName: this.queueName, connection: this.reg.trigger.connection }, extraInputs: [], extraOutputs: [] },
    });
    const t0 = Date.now();
    try {
      await withTimeout(() => this.reg.handler(input, context), this.functionTimeoutMs, name);
    } catch (e) {
      const why = errorText(e);
      this.log(`[${name}] failed on message ${m.messageId} (attempt ${m.dequeueCount} of ${maxDequeueCount}, ${Date.now() - t0} ms): ${why}`);
      try {
        if (m.dequeueCount >= maxDequeueCount) await this.moveToPoison(m, why);
        else await this.queue.updateMessage(m.messageId, m.popReceipt, undefined, Math.ceil(visibilityTimeoutMs / 1000));
      } catch (e2) {
        this.log(`[${name}] could not release message ${m.messageId}: ${errorText(e2)} (it reappears when its visibility ends)`);
      }
      return;
    }
    try {
      await this.queue.deleteMessage(m.messageId, m.popReceipt);
      this.log(`[${name}] succeeded on message ${m.messageId} in ${Date.now() - t0} ms (attempt ${m.dequeueCount})`);
    } catch (e) {
      this.log(`[${name}] succeeded on message ${m.messageId} but could not delete it: ${errorText(e)}`);
    }
  }

  private async moveToPoison(m: DequeuedMessageItem, why: string): Promise<void> {
    if (!this.poisonReady) {
      await ensureQueue(this.poison);
      this.poisonReady = true;
    }
    await this.poison.sendMessage(m.messageText);
    await this.queue.deleteMessage(m.messageId, m.popReceipt);
    this.log(`[${this.reg.name}] message ${m.messageId} moved to ${this.poison.name} (dequeue count ${m.dequeueCount}): ${why}`);
  }
}
