// JSON values stored in Table storage within its limits: a string property holds at most 64 KiB (32 K UTF-16
// characters) and an entity at most 1 MiB with 252 properties. Small JSON stays readable as a string; larger JSON is
// gzipped into binary properties of at most 64 KiB each, split across numbered properties when one is not enough.
import { gunzipSync, gzipSync } from 'node:zlib';

/** Characters kept as a plain string property (UTF-16: 2 bytes each, under the 64 KiB property limit with margin). */
const MAX_PLAIN_CHARS = 30_000;
/** Bytes per binary chunk (a binary property holds at most 64 KiB). */
const CHUNK_BYTES = 60_000;
/** Binary chunks per packed value: 14 × 60 KB ≈ 840 KB leaves room for the entity's other properties under 1 MiB. */
export const MAX_CHUNKS = 14;

export class PackTooLargeError extends Error {
  constructor(readonly property: string, readonly gzipBytes: number) {
    super(`${property} is ${gzipBytes} bytes gzipped, more than a Table entity can hold (${MAX_CHUNKS * CHUNK_BYTES})`);
    this.name = 'PackTooLargeError';
  }
}

export type PackedProperties = Record<string, string | number | Uint8Array>;

/** Properties that store `value` under `name`: `name` (plain JSON) or `nameParts` + `nameGz0…` (gzipped chunks). */
export function packJson(name: string, value: unknown): PackedProperties {
  const json = JSON.stringify(value);
  if (json.length <= MAX_PLAIN_CHARS) return { [name]: json };
  const gz = gzipSync(Buffer.from(json, 'utf8'));
  const parts = Math.ceil(gz.length / CHUNK_BYTES);
  if (parts > MAX_CHUNKS) throw new PackTooLargeError(name, gz.length);
  const out: PackedProperties = { [`${name}Parts`]: parts };
  for (let i = 0; i < parts; i++) out[`${name}Gz${i}`] = new Uint8Array(gz.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
  return out;
}

/** The value `packJson(name, …)` stored on `entity`; undefined when the entity holds none. */
export function unpackJson<T>(entity: Record<string, unknown>, name: string): T | undefined {
  const plain = entity[name];
  if (typeof plain === 'string') return JSON.parse(plain) as T;
  const partsRaw = entity[`${name}Parts`];
  if (partsRaw === undefined || partsRaw === null) return undefined;
  const parts = Number(partsRaw); // an Int32 comes back as a number, an Int64 as a BigInt
  const chunks: Buffer[] = [];
  for (let i = 0; i < parts; i++) {
    const chunk = entity[`${name}Gz${i}`];
    if (!(chunk instanceof Uint8Array)) throw new Error(`${name}Gz${i} is missing: the stored value is incomplete`);
    chunks.push(Buffer.from(chunk));
  }
  return JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as T;
}

