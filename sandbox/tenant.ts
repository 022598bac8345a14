// Reading a tenant file (../shared/SANDBOX.md § Reading a tenant): lenient — unknown fields are kept as they are —
// but strict about the few things every answer is derived from, with an error naming the JSON path at fault.
import fs from 'node:fs';
import type { Tenant } from './tenant-types';

export class TenantError extends Error {
  constructor(readonly source: string, readonly jsonPath: string, problem: string) {
    super(`${source}: ${jsonPath} ${problem}`);
    this.name = 'TenantError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function optionalArray(obj: Record<string, unknown>, key: string, source: string, at: string): unknown[] {
  const v = obj[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TenantError(source, `${at}${key}`, 'must be an array');
  return v;
}

function optionalObject(obj: Record<string, unknown>, key: string, source: string, at: string): Record<string, unknown> {
  const v = obj[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new TenantError(source, `${at}${key}`, 'must be an object');
  return v;
}

function requireString(obj: Record<string, unknown>, key: string, source: string, at: string): void {
  if (!nonEmptyString(obj[key])) throw new TenantError(source, `${at}.${key}`, obj[key] === undefined ? 'is missing' : 'must be a non-empty string');
}

/** Validates and returns the tenant (the same object, with absent lists defaulted to empty). */
export function parseTenant(json: unknown, source = 'tenant'): Tenant {
  if (!isObject(json)) throw new TenantError(source, '$', 'must be a JSON object');
  if (!nonEmptyString(json.now)) throw new TenantError(source, 'now', json.now === undefined ? 'is missing' : 'must be an ISO date-time string');
  if (Number.isNaN(Date.parse(json.now))) throw new TenantError(source, 'now', `is not a date-time: "${json.now}"`);

  const subscriptions = optionalArray(json, 'subscriptions', source, '');
  subscriptions.forEach((s, i) => {
    if (!isObject(s)) throw new TenantError(source, `subscriptions[${i}]`, 'must be an object');
    requireString(s, 'subscriptionId', source, `subscriptions[${i}]`);
  });

  const resources = optionalArray(json, 'resources', source, '');
  const seen = new Map<string, number>();
  resources.forEach((r, i) => {
    if (!isObject(r)) throw new TenantError(source, `resources[${i}]`, 'must be an object');
    for (const key of ['id', 'name', 'type']) requireString(r, key, source, `resources[${i}]`);
    const id = r.id as string;
    if (!id.startsWith('/')) throw new TenantError(source, `resources[${i}].id`, `must be an ARM id starting with "/": "${id}"`);
    const earlier = seen.get(id.toLowerCase());
    if (earlier !== undefined) throw new TenantError(source, `resources[${i}].id`, `repeats resources[${earlier}].id (ARM ids are case-insensitive): "${id}"`);
    seen.set(id.toLowerCase(), i);
  });

  const managementGroups = optionalArray(json, 'managementGroups', source, '');
  managementGroups.forEach((g, i) => {
    if (!isObject(g)) throw new TenantError(source, `managementGroups[${i}]`, 'must be an object');
    requireString(g, 'id', source, `managementGroups[${i}]`);
    requireString(g, 'name', source, `managementGroups[${i}]`);
  });

  const logAnalytics = optionalObject(json, 'logAnalytics', source, '');
  for (const [wsId, ws] of Object.entries(logAnalytics)) {
    const at = `logAnalytics.${wsId}`;
    if (!isObject(ws)) throw new TenantError(source, at, 'must be an object');
    if (!isObject(ws.tables)) throw new TenantError(source, `${at}.tables`, ws.tables === undefined ? 'is missing' : 'must be an object of tables');
    for (const [table, rows] of Object.entries(ws.tables)) {
      if (!Array.isArray(rows)) throw new TenantError(source, `${at}.tables.${table}`, 'must be an array of row objects');
      rows.forEach((row, i) => {
        if (!isObject(row)) throw new TenantError(source, `${at}.tables.${table}[${i}]`, 'must be an object');
      });
    }
  }

  for (const key of ['serviceTags', 'vmSizes', 'diagnosticSettings'] as const) {
    const perKey = optionalObject(json, key, source, '');
    for (const [k, list] of Object.entries(perKey)) {
      if (!Array.isArray(list)) throw new TenantError(source, `${key}.${k}`, 'must be an array');
    }
  }
  optionalArray(json, 'computeSkus', source, '');
  optionalArray(json, 'faults', source, '').forEach((f, i) => {
    if (!isObject(f)) throw new TenantError(source, `faults[${i}]`, 'must be an object');
    requireString(f, 'path', source, `faults[${i}]`);
  });

  return { ...json, subscriptions, resources, now: json.now } as Tenant;
}

export function readTenantFile(file: string): Tenant {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new TenantError(file, '$', `cannot be read: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TenantError(file, '$', `is not valid JSON: ${(e as Error).message}`);
  }
  return parseTenant(json, file);
}
