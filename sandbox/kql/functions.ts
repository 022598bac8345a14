// Kusto's scalar functions the sandbox evaluates. Anything not listed is a 400 naming the function.
import { KqlError, unsupported } from './errors';
import { kindName, textOf, type SyntaxNode } from './language';
import { compileScalar, compileRegex, constant, fold, type Compiled, type RowFn, type RowScope } from './scalar';
import {
  type KType, commonType, fromJson, toBool, toDatetime, toNumber, toStringValue, toTimespan, compareValues,
} from './values';

interface FunctionDef {
  min: number;
  max: number;
  /** `text` gives the call's source for error messages (computed only when one is thrown). */
  compile(args: Compiled[], text: () => string, scope: RowScope): Compiled;
}

/** Aggregates are evaluated by `summarize`; met anywhere else they are an error, not a scalar. */
export const AGGREGATE_NAMES = new Set([
  'count', 'countif', 'dcount', 'dcountif', 'min', 'max', 'avg', 'sum', 'sumif', 'any', 'take_any', 'arg_max', 'arg_min',
  'make_set', 'make_list', 'make_bag', 'minif', 'maxif', 'avgif', 'make_set_if', 'make_list_if', 'percentile', 'percentiles',
  'stdev', 'variance', 'count_distinct', 'takeany',
]);

function map1(type: KType, a: Compiled, f: (v: unknown) => unknown): Compiled {
  const g = a.fn;
  return fold({ type, fn: (r) => f(g(r)) }, [a]);
}

function asString(c: Compiled): RowFn {
  const f = c.fn, t = c.type;
  return t === 'string' ? f : (r) => toStringValue(f(r), t);
}

function conversion(type: KType, convert: (v: unknown, from: KType) => unknown): FunctionDef {
  return { min: 1, max: 1, compile: ([a]) => map1(type, a, (v) => (v === null ? (type === 'string' ? '' : null) : convert(v, a.type))) };
}

function toInteger(v: unknown, from: KType): number | null {
  // A timespan converts to its ticks (100 ns), as in Kusto.
  if (from === 'timespan') return Math.trunc((v as number) * 10_000);
  if (from === 'datetime') return null;
  const n = toNumber(v);
  return n === null || !Number.isFinite(n) ? null : Math.trunc(n);
}

function toReal(v: unknown, from: KType): number | null {
  if (from === 'timespan') return (v as number) * 10_000;
  return from === 'datetime' ? null : toNumber(v);
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

function binOf(value: Compiled, size: Compiled, text: () => string): Compiled {
  if (!size.constant) throw new KqlError(`bin() needs a constant bin size in '${text()}'`);
  const s = size.fn([]) as number | null;
  if (s === null || s <= 0) throw new KqlError(`bin() needs a positive bin size in '${text()}'`);
  if (value.type === 'dynamic') throw new KqlError(`bin() needs a numeric, datetime or timespan value in '${text()}'`);
  return map1(value.type, value, (v) => (v === null ? null : Math.floor((v as number) / s) * s));
}

const FUNCTIONS: Record<string, FunctionDef> = {
  isempty: { min: 1, max: 1, compile: ([a]) => map1('bool', a, isEmptyValue) },
  isnotempty: { min: 1, max: 1, compile: ([a]) => map1('bool', a, (v) => !isEmptyValue(v)) },
  isnull: { min: 1, max: 1, compile: ([a]) => map1('bool', a, (v) => v === null || v === undefined) },
  isnotnull: { min: 1, max: 1, compile: ([a]) => map1('bool', a, (v) => v !== null && v !== undefined) },
  not: {
    min: 1, max: 1,
    compile: ([a], text) => {
      if (a.type !== 'bool' && a.type !== 'dynamic') throw new KqlError(`not() needs a bool argument in '${text()}'`);
      return map1('bool', a, (v) => (typeof v === 'boolean' ? !v : null));
    },
  },
  tostring: conversion('string', (v, from) => toStringValue(v, from)),
  tolower: { min: 1, max: 1, compile: ([a]) => { const f = asString(a); return fold({ type: 'string', fn: (r) => (f(r) as string).toLowerCase() }, [a]); } },
  toupper: { min: 1, max: 1, compile: ([a]) => { const f = asString(a); return fold({ type: 'string', fn: (r) => (f(r) as string).toUpperCase() }, [a]); } },
  todouble: conversion('real', toReal),
  toreal: conversion('real', toReal),
  toint: conversion('int', toInteger),
  tolong: conversion('long', toInteger),
  tobool: conversion('bool', (v) => toBool(v)),
  toboolean: conversion('bool', (v) => toBool(v)),
  todatetime: conversion('datetime', (v) => toDatetime(v)),
  totimespan: conversion('timespan', (v) => toTimespan(v)),
  toguid: conversion('guid', (v) => (typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v) ? v.toLowerCase() : null)),
  todynamic: { min: 1, max: 1, compile: ([a]) => map1('dynamic', a, (v) => (a.type === 'string' ? parseJson(v) : fromJsonish(v, a.type))) },
  parse_json: { min: 1, max: 1, compile: ([a]) => map1('dynamic', a, (v) => (a.type === 'string' ? parseJson(v) : fromJsonish(v, a.type))) },
  strlen: { min: 1, max: 1, compile: ([a]) => { const f = asString(a); return fold({ type: 'long', fn: (r) => [...(f(r) as string)].length }, [a]); } },
  strcat: {
    min: 1, max: 64,
    compile: (args) => {
      const fs = args.map(asString);
      return fold({ type: 'string', fn: (r) => { let s = ''; for (const f of fs) s += f(r) as string; return s; } }, args);
    },
  },
  substring: {
    min: 2, max: 3,
    compile: ([s, start, len]) => {
      const f = asString(s);
      return fold({
        type: 'string',
        fn: (r) => {
          const str = f(r) as string;
          const b = Math.max(0, (start.fn(r) as number) ?? 0);
          const l = len ? (len.fn(r) as number | null) : null;
          return l === null ? str.substring(b) : str.substr(b, Math.max(0, l));
        },
      }, len ? [s, start, len] : [s, start]);
    },
  },
  indexof: {
    min: 2, max: 2,
    compile: ([s, find]) => { const f = asString(s), g = asString(find); return fold({ type: 'long', fn: (r) => (f(r) as string).indexOf(g(r) as string) }, [s, find]); },
  },
  replace_string: {
    min: 3, max: 3,
    compile: ([s, find, rep]) => {
      const f = asString(s), g = asString(find), h = asString(rep);
      return fold({ type: 'string', fn: (r) => { const x = g(r) as string; return x === '' ? f(r) : (f(r) as string).split(x).join(h(r) as string); } }, [s, find, rep]);
    },
  },
  trim: {
    min: 2, max: 2,
    compile: ([re, s], text) => {
      if (!re.constant) throw new KqlError(`trim() needs a constant pattern in '${text()}'`);
      const p = re.fn([]) as string;
      const rx = compileRegex(`^(?:${p})+|(?:${p})+$`);
      const f = asString(s);
      return fold({ type: 'string', fn: (r) => (f(r) as string).replace(new RegExp(rx.source, 'g'), '') }, [re, s]);
    },
  },
  split: {
    min: 2, max: 3,
    compile: ([s, d, idx]) => {
      const f = asString(s), g = asString(d);
      const inputs = idx ? [s, d, idx] : [s, d];
      return fold({
        type: 'dynamic',
        fn: (r) => {
          const parts = (f(r) as string).split(g(r) as string);
          if (!idx) return parts;
          const i = idx.fn(r) as number | null;
          return i === null || i < 0 || i >= parts.length ? [] : [parts[i]];
        },
      }, inputs);
    },
  },
  extract: {
    min: 3, max: 4,
    compile: ([re, group, s], text) => {
      if (!re.constant) throw new KqlError(`extract() needs a constant pattern in '${text()}'`);
      const rx = compileRegex(re.fn([]) as string);
      const f = asString(s);
      return fold({
        type: 'string',
        fn: (r) => {
          const m = rx.exec(f(r) as string);
          const g = group.fn(r) as number;
          return m && m[g] !== undefined ? m[g] : '';
        },
      }, [re, group, s]);
    },
  },
  iff: { min: 3, max: 3, compile: conditional },
  iif: { min: 3, max: 3, compile: conditional },
  case: {
    min: 3, max: 255,
    compile: (args, text) => {
      if (args.length % 2 === 0) throw new KqlError(`case() needs predicate/value pairs and an else value in '${text()}'`);
      const type = args.filter((_, i) => i % 2 === 1 || i === args.length - 1).map((a) => a.type).reduce(commonType);
      return fold({
        type,
        fn: (r) => {
          for (let i = 0; i + 1 < args.length; i += 2) if (args[i].fn(r) === true) return args[i + 1].fn(r);
          return args[args.length - 1].fn(r);
        },
      }, args);
    },
  },
  coalesce: {
    min: 1, max: 64,
    compile: (args) => {
      const type = args.map((a) => a.type).reduce(commonType);
      return fold({ type, fn: (r) => { for (const a of args) { const v = a.fn(r); if (!isEmptyValue(v)) return v; } return type === 'string' ? '' : null; } }, args);
    },
  },
  max_of: { min: 1, max: 64, compile: (args) => extremum(args, 1) },
  min_of: { min: 1, max: 64, compile: (args) => extremum(args, -1) },
  abs: { min: 1, max: 1, compile: ([a]) => map1(a.type, a, (v) => (v === null ? null : Math.abs(v as number))) },
  round: {
    min: 1, max: 2,
    compile: ([a, p]) => {
      return fold({ type: a.type, fn: (r) => { const v = toNumber(a.fn(r)); if (v === null) return null; const k = 10 ** ((p?.fn(r) as number) ?? 0); return Math.round(v * k) / k; } }, p ? [a, p] : [a]);
    },
  },
  floor: { min: 2, max: 2, compile: ([v, s], text) => binOf(v, s, text) },
  bin: { min: 2, max: 2, compile: ([v, s], text) => binOf(v, s, text) },
  now: { min: 0, max: 1, compile: (args, _t, scope) => timeFromNow(scope, args[0], 1) },
  ago: { min: 1, max: 1, compile: ([span], _t, scope) => timeFromNow(scope, span, -1) },
  startofday: {
    min: 1, max: 1,
    compile: ([d]) => map1('datetime', d, (v) => (v === null ? null : Math.floor((v as number) / 86_400_000) * 86_400_000)),
  },
  bag_keys: { min: 1, max: 1, compile: ([a]) => map1('dynamic', a, (v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null)) },
  array_length: { min: 1, max: 1, compile: ([a]) => map1('long', a, (v) => (Array.isArray(v) ? v.length : null)) },
  array_index_of: {
    min: 2, max: 2,
    compile: ([a, x]) => fold({ type: 'long', fn: (r) => { const arr = a.fn(r); const v = x.fn(r); return Array.isArray(arr) ? arr.findIndex((e) => e === v) : null; } }, [a, x]),
  },
  set_has_element: {
    min: 2, max: 2,
    compile: ([a, x]) => fold({ type: 'bool', fn: (r) => { const arr = a.fn(r); const v = x.fn(r); return Array.isArray(arr) ? arr.some((e) => e === v) : null; } }, [a, x]),
  },
  pack_array: { min: 1, max: 64, compile: (args) => fold({ type: 'dynamic', fn: (r) => args.map((a) => toJsonish(a.fn(r), a.type)) }, args) },
  bag_pack: { min: 0, max: 128, compile: packBag },
  pack: { min: 0, max: 128, compile: packBag },
  gettype: { min: 1, max: 1, compile: ([a]) => map1('string', a, (v) => typeName(v, a.type)) },
};

/** A value placed into a dynamic (pack_array, todynamic of a typed value): datetimes become ISO strings. */
function toJsonish(v: unknown, type: KType): unknown {
  if (v === null) return null;
  if (type === 'datetime' || type === 'timespan') return toStringValue(v, type);
  return v;
}

function fromJsonish(v: unknown, type: KType): unknown {
  return toJsonish(fromJson(v, type), type);
}

function typeName(v: unknown, type: KType): string {
  if (type !== 'dynamic') return type === 'real' ? 'real' : type;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'dictionary';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'long' : 'real';
}

function packBag(args: Compiled[], text: () => string): Compiled {
  if (args.length % 2 !== 0) throw new KqlError(`bag_pack() needs key/value pairs in '${text()}'`);
  return fold({
    type: 'dynamic',
    fn: (r) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < args.length; i += 2) out[toStringValue(args[i].fn(r), args[i].type)] = toJsonish(args[i + 1].fn(r), args[i + 1].type);
      return out;
    },
  }, args);
}

function conditional([p, a, b]: Compiled[], text: () => string): Compiled {
  if (p.type !== 'bool' && p.type !== 'dynamic') throw new KqlError(`iff() needs a bool predicate in '${text()}'`);
  const type = commonType(a.type, b.type);
  return fold({ type, fn: (r) => (p.fn(r) === true ? a.fn(r) : b.fn(r)) }, [p, a, b]);
}

function extremum(args: Compiled[], sign: 1 | -1): Compiled {
  const type = args.map((a) => a.type).reduce(commonType);
  return fold({
    type,
    fn: (r) => {
      let best: unknown = null;
      for (const a of args) {
        const v = a.fn(r);
        if (v === null) continue;
        const c = best === null ? 1 : compareValues(v, best);
        if (c !== null && c * sign > 0) best = v;
      }
      return best;
    },
  }, args);
}

function timeFromNow(scope: RowScope, span: Compiled | undefined, sign: 1 | -1): Compiled {
  const now = scope.query.now;
  if (!span) return constant('datetime', now);
  if (span.type !== 'timespan') throw new KqlError(`${sign < 0 ? 'ago' : 'now'}() needs a timespan argument`);
  return map1('datetime', span, (v) => (v === null ? null : now + sign * (v as number)));
}

/** Whether the engine evaluates the scalar function `name`. */
export function isScalarFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

/** Compiles a call of a scalar function, with its argument count checked. */
export function callFunction(name: string, argNodes: SyntaxNode[], scope: RowScope, node: SyntaxNode): Compiled {
  const def = FUNCTIONS[name];
  if (!def) {
    if (AGGREGATE_NAMES.has(name)) throw new KqlError(`The aggregate function '${name}()' can only be used in summarize`);
    throw unsupported(`the function '${name}()'`);
  }
  if (argNodes.length < def.min || argNodes.length > def.max) {
    throw new KqlError(`The function '${name}' expects ${def.min === def.max ? def.min : `${def.min} to ${def.max}`} arguments, got ${argNodes.length}`);
  }
  for (const a of argNodes) {
    if (kindName(a) === 'StarExpression') throw new KqlError(`'*' is not a valid argument of ${name}()`);
  }
  const args = argNodes.map((a) => compileScalar(a, scope));
  return def.compile(args, () => textOf(node), scope);
}
