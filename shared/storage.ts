// Queue and table clients from the storage settings (a connection string — Azurite locally — or a managed identity
// in Azure), the message encoding the Functions host expects, and the error shapes of SDK-NOTES §1 in one place.
// The SDKs load with the first client made, not with this file (cold start: see shared/app.ts).
import type { TokenCredential } from '@azure/core-auth';
import type { QueueClient, QueueServiceClient, StorageRetryOptions } from '@azure/storage-queue';
import type { TableClient, TableServiceClientOptions } from '@azure/data-tables';
import type { StorageSettings } from './config';

/** Azure's limit on one queue message (64 KiB), which applies to the text as sent — after base64. */
export const MAX_QUEUE_MESSAGE_CHARS = 64 * 1024;

const QUEUE_NAME = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export function isValidQueueName(name: string): boolean {
  return QUEUE_NAME.test(name);
}
/** Azure table names are alphanumeric only (no hyphens, no underscores), 3–63 characters, starting with a letter. */
export function isValidTableName(name: string): boolean {
  return TABLE_NAME.test(name) && !/^tables$/i.test(name);
}

export interface StorageClientOptions {
  /** Replaces the identity credential (tests; or a credential the caller already holds). */
  credential?: TokenCredential;
  /** Retry tuning; tests pass small delays. */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** Put before every table name (letters and digits): tests sharing one Azurite each get their own tables. */
  tablePrefix?: string;
}

/** Makes queue and table clients for one storage account; cheap to call per name (clients share the service pipeline). */
export class StorageClients {
  private queueServiceClient?: QueueServiceClient;
  private readonly tableOptions: TableServiceClientOptions;
  private identity?: TokenCredential;
  private readonly tablePrefix: string;

  constructor(private readonly settings: StorageSettings, private readonly options: StorageClientOptions = {}) {
    this.tablePrefix = options.tablePrefix ?? '';
    if (this.tablePrefix && !/^[A-Za-z][A-Za-z0-9]*$/.test(this.tablePrefix)) throw new Error(`table prefix "${this.tablePrefix}" must be letters and digits, starting with a letter`);
    this.tableOptions = options.retry ? { retryOptions: options.retry } : {};
    // The tables SDK refuses http unless told; Azurite (and only a local emulator) speaks http.
    if (settings.kind === 'connectionString' && tableEndpointIsHttp(settings.connectionString)) this.tableOptions.allowInsecureConnection = true;
  }

  private credential(): TokenCredential {
    if (this.settings.kind !== 'identity') throw new Error('a connection string needs no credential');
    if (!this.identity) {
      const { DefaultAzureCredential, ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
      this.identity = this.options.credential
        ?? (this.settings.clientId ? new ManagedIdentityCredential({ clientId: this.settings.clientId }) : new DefaultAzureCredential());
    }
    return this.identity;
  }

  private queueService(): QueueServiceClient {
    if (!this.queueServiceClient) {
      const { QueueServiceClient } = require('@azure/storage-queue') as typeof import('@azure/storage-queue');
      const retry = this.options.retry;
      const retryOptions: StorageRetryOptions | undefined = retry && {
        maxTries: (retry.maxRetries ?? 3) + 1,
        retryDelayInMs: retry.retryDelayInMs,
        maxRetryDelayInMs: retry.maxRetryDelayInMs,
      };
      this.queueServiceClient = this.settings.kind === 'connectionString'
        ? QueueServiceClient.fromConnectionString(this.settings.connectionString, { retryOptions })
        : new QueueServiceClient(this.settings.queueServiceUri, this.credential(), { retryOptions });
    }
    return this.queueServiceClient;
  }

  queue(name: string): QueueClient {
    if (!isValidQueueName(name)) throw new Error(`"${name}" is not a valid queue name (3–63 lowercase letters, digits and single hyphens)`);
    return this.queueService().getQueueClient(name);
  }

  table(name: string): TableClient {
    const full = `${this.tablePrefix}${name}`;
    if (!isValidTableName(full)) throw new Error(`"${full}" is not a valid table name (3–63 letters and digits, starting with a letter)`);
    const { TableClient } = require('@azure/data-tables') as typeof import('@azure/data-tables');
    if (this.settings.kind === 'connectionString') return TableClient.fromConnectionString(this.settings.connectionString, full, this.tableOptions);
    return new TableClient(this.settings.tableServiceUri, full, this.credential(), this.tableOptions);
  }
}

function tableEndpointIsHttp(connectionString: string): boolean {
  if (/^\s*UseDevelopmentStorage=true/i.test(connectionString)) return true;
  const explicit = /(?:^|;)\s*TableEndpoint=([^;]+)/i.exec(connectionString);
  if (explicit) return /^http:/i.test(explicit[1].trim());
  return /(?:^|;)\s*DefaultEndpointsProtocol=http\s*(?:;|$)/i.test(connectionString);
}

/**
 * The text the Functions host's queue trigger decodes: base64 of the UTF-8 JSON (host.json
 * `extensions.queues.messageEncoding: base64`, the default). Throws when it would exceed the 64 KiB message limit.
 */
export function encodeQueueMessage(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error('a queue message must be JSON-serialisable');
  const text = Buffer.from(json, 'utf8').toString('base64');
  if (text.length > MAX_QUEUE_MESSAGE_CHARS) {
    throw new Error(`queue message is ${text.length} characters after base64; the limit is ${MAX_QUEUE_MESSAGE_CHARS} (store the payload in a table and send a claim check)`);
  }
  return text;
}

/**
 * What the host hands a Node queue-trigger handler for a message text (messageEncoding base64): the text base64-
 * decoded as UTF-8, then JSON-parsed when it is JSON, else the string. Text that is not base64 never reaches a
 * handler: the host's queue extension (v5, in extension bundle 4.x) moves it to the poison queue at once.
 */
export function decodeHostQueueMessage(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    return { ok: false, reason: 'the message text is not base64 (host.json extensions.queues.messageEncoding is base64)' };
  }
  return { ok: true, value: parseJsonOrText(Buffer.from(compact, 'base64').toString('utf8')) };
}

/** Reads a queued message as a handler would see it; text that is not base64 comes back as-is (tests, tools). */
export function decodeQueueMessage(text: string): unknown {
  const decoded = decodeHostQueueMessage(text);
  return decoded.ok ? decoded.value : parseJsonOrText(text);
}

/** JSON when the text is JSON, else the text (what the Node worker does with a string trigger payload). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Sends `value` as the host's queue trigger expects it (base64 JSON). */
export async function enqueueJson(queue: QueueClient, value: unknown, options: { visibilityTimeoutSeconds?: number } = {}): Promise<{ messageId: string }> {
  const res = await queue.sendMessage(encodeQueueMessage(value), { visibilityTimeout: options.visibilityTimeoutSeconds });
  return { messageId: res.messageId };
}

export async function ensureQueue(queue: QueueClient): Promise<void> {
  await queue.createIfNotExists();
}

export async function ensureTable(table: TableClient): Promise<void> {
  // createTable tolerates a table that already exists (SDK-NOTES §1).
  await table.createTable();
}

interface StorageErrorShape {
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string; odataError?: { code?: string } };
}

function shape(e: unknown): StorageErrorShape {
  return e !== null && typeof e === 'object' ? (e as StorageErrorShape) : {};
}

/** The service's error code: `e.code` is often undefined on table errors; the OData body carries it. */
export function storageErrorCode(e: unknown): string | undefined {
  const s = shape(e);
  return s.code ?? s.details?.odataError?.code ?? s.details?.errorCode;
}

/** The HTTP status a storage SDK error carries (RestError `statusCode`), if any. */
export function statusOf(e: unknown): number | undefined {
  return shape(e).statusCode;
}

/** 412: an ETag condition failed (table `UpdateConditionNotSatisfied`, queue/blob `ConditionNotMet`) — someone else wrote first. */
export function isConditionFailed(e: unknown): boolean {
  return shape(e).statusCode === 412;
}

/** 409: the entity, table or queue already exists (`EntityAlreadyExists`, also inside a transaction). */
export function isConflict(e: unknown): boolean {
  return shape(e).statusCode === 409;
}

/** 404: entity, table or queue missing (`ResourceNotFound`, `TableNotFound`, `QueueNotFound`). */
export function isNotFound(e: unknown): boolean {
  return shape(e).statusCode === 404;
}
