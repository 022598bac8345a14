// Raw ARM JSON: network evidence keeps Azure's own shapes (evidence/network-types.ts), and the gatherer, the NSG
// parser and the network checks read them through these, the one set of readers — an object or {}, a list or [], a
// string or undefined.

export type Json = Record<string, unknown>;

/** The value as an object; {} for anything else (null, a list, a scalar). */
export function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

/** True for an object (not null, not a list). */
export function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The value as a list; [] for anything else. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A non-empty string; undefined for anything else. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The `id` of a resource or a reference (`{ id }`), as Azure wrote it; null when there is none. */
export function idOf(v: unknown): string | null {
  return str(obj(v).id) ?? null;
}

/** An ARM object's `properties`. */
export function props(o: { properties?: unknown } | undefined): Json {
  return obj(o?.properties);
}

/** A child's fields: its `properties` when it has them (ARM's nesting), else the child itself (flattened shapes). */
export function inner(v: unknown): Json {
  const o = obj(v);
  return isObj(o.properties) ? o.properties : o;
}
