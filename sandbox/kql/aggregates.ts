// summarize's aggregation functions. Each aggregate compiles its arguments once and hands out fresh accumulators
// per group; nulls are ignored as Kusto documents (count() counts rows).
import { KqlError, unsupported } from './errors';
import { elements, kindName, prop, textOf, type SyntaxNode } from './language';
import { compileScalar, nodeKey, rowScope, type Compiled, type RowScope } from './scalar';
import { AGGREGATE_NAMES } from './functions';
import { type Column, type KType, compareValues, groupKey, isNumeric, toStringValue } from './values';

/** The aggregate functions `compileAggregate` evaluates (for coverage.ts). */
export const SUPPORTED_AGGREGATES = new Set([
  'count', 'countif', 'dcount', 'dcountif', 'count_distinct', 'sum', 'sumif', 'avg', 'avgif', 'min', 'max', 'minif', 'maxif',
  'any', 'take_any', 'takeany', 'make_set', 'make_list', 'make_set_if', 'make_list_if', 'arg_max', 'arg_min',
]);

export interface Accumulator {
  add(row: unknown[]): void;
  /** The output cells, one per output column of the aggregate. */
  result(): unknown[];
}

export interface Aggregate {
  columns: Column[];
  create(): Accumulator;
}

/** The column name Kusto derives from an argument: `x` → `x`, `a.b` → `a_b`, anything else → ''. */
export function derivedName(node: SyntaxNode): string {
  const kind = kindName(node);
  if (kind === 'NameReference') return node.SimpleName as string;
  if (kind === 'ParenthesizedExpression') return derivedName(prop(node, 'Expression') as SyntaxNode);
  if (kind === 'PathExpression') {
    const left = derivedName(prop(node, 'Expression') as SyntaxNode);
    const right = derivedName(prop(node, 'Selector') as SyntaxNode);
    return left && right ? `${left}_${right}` : '';
  }
  if (kind === 'ElementExpression') {
    const left = derivedName(prop(node, 'Expression') as SyntaxNode);
    const sel = prop(node, 'Selector') as SyntaxNode;
    const inner = kindName(sel) === 'BracketedExpression' ? prop(sel, 'Expression') as SyntaxNode : sel;
    const key = inner.IsLiteral ? String(inner.LiteralValue ?? '') : '';
    return left && key ? `${left}_${key}` : '';
  }
  return '';
}

const PREFIX: Record<string, string> = {
  count: 'count', countif: 'countif', dcount: 'dcount', dcountif: 'dcountif', min: 'min', max: 'max', avg: 'avg', sum: 'sum',
  sumif: 'sumif', any: 'any', take_any: 'any', make_set: 'set', make_list: 'list', minif: 'minif', maxif: 'maxif', avgif: 'avgif',
};

function jsonCell(v: unknown, type: KType): unknown {
  return type === 'datetime' || type === 'timespan' ? toStringValue(v, type) : v;
}

function argCount(name: string, args: SyntaxNode[], min: number, max: number): void {
  if (args.length < min || args.length > max) throw new KqlError(`The aggregate '${name}' expects ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
}

function predicate(c: Compiled, name: string): (r: unknown[]) => boolean {
  if (c.type !== 'bool' && c.type !== 'dynamic') throw new KqlError(`${name}() needs a bool predicate`);
  const f = c.fn;
  return (r) => f(r) === true;
}

function isAggregateCall(node: SyntaxNode): boolean {
  return kindName(node) === 'FunctionCallExpression' && AGGREGATE_NAMES.has(((prop(node, 'Name') as SyntaxNode).SimpleName as string));
}

function aggregateCallsIn(node: SyntaxNode, out: SyntaxNode[]): SyntaxNode[] {
  if (isAggregateCall(node)) { out.push(node); return out; }
  if (node.IsToken) return out;
  for (let i = 0; i < node.ChildCount; i++) {
    const c = node.GetChild(i);
    if (c) aggregateCallsIn(c, out);
  }
  return out;
}

/**
 * Compiles one element of summarize's aggregate list: an aggregate call, or a scalar expression over aggregate
 * calls (`pct = 100.0 * countif(x) / count()`, `age = now() - max(TimeGenerated)`).
 */
export function compileAggregateExpression(expr: SyntaxNode, outName: string | null, scope: RowScope, byNames: Set<string>, autoName: () => string): Aggregate {
  if (isAggregateCall(expr)) return compileAggregate(expr, outName, scope, byNames);
  const calls = aggregateCallsIn(expr, []);
  if (calls.length === 0) throw new KqlError(`summarize needs an aggregate function in '${textOf(expr)}'`);
  const inner = calls.map((c) => {
    const a = compileAggregate(c, null, scope, byNames);
    if (a.columns.length !== 1) throw unsupported(`'${textOf(c)}' inside an expression`);
    return a;
  });
  const overrides = new Map<string, Compiled>();
  calls.forEach((c, j) => overrides.set(nodeKey(c), { type: inner[j].columns[0].type, fn: (r) => r[j] }));
  const outer = compileScalar(expr, { ...rowScope([], scope.query), overrides });
  return {
    columns: [{ name: outName ?? autoName(), type: outer.type }],
    create: () => {
      const accs = inner.map((a) => a.create());
      return {
        add: (r) => { for (const a of accs) a.add(r); },
        result: () => [outer.fn(accs.map((a) => a.result()[0]))],
      };
    },
  };
}

/**
 * Compiles one aggregate call. `outName` is the name given with `name = agg(...)`, if any; `byNames` are the
 * summarize's group columns (arg_max(…, *) leaves them out, as they come first in the output anyway).
 */
export function compileAggregate(call: SyntaxNode, outName: string | null, scope: RowScope, byNames: Set<string>): Aggregate {
  if (kindName(call) !== 'FunctionCallExpression') throw new KqlError(`summarize needs aggregate function calls, got '${textOf(call)}'`);
  const name = (prop(call, 'Name') as SyntaxNode).SimpleName as string;
  const argNodes = elements(prop(call, 'ArgumentList') as SyntaxNode, 'Expressions');
  const col = (type: KType, derived: string): Column[] => [{ name: outName ?? `${PREFIX[name]}_${derived}`, type }];
  const arg = (i: number) => compileScalar(argNodes[i], scope);
  switch (name) {
    case 'count': {
      argCount(name, argNodes, 0, 0);
      return { columns: [{ name: outName ?? 'count_', type: 'long' }], create: () => { let n = 0; return { add: () => { n++; }, result: () => [n] }; } };
    }
    case 'countif': {
      argCount(name, argNodes, 1, 1);
      const p = predicate(arg(0), name);
      return { columns: [{ name: outName ?? 'countif_', type: 'long' }], create: () => { let n = 0; return { add: (r) => { if (p(r)) n++; }, result: () => [n] }; } };
    }
    case 'dcount': case 'dcountif': case 'count_distinct': {
      const isIf = name === 'dcountif';
      argCount(name, argNodes, isIf ? 2 : 1, isIf ? 3 : 2);
      const v = arg(0).fn;
      const p = isIf ? predicate(arg(1), name) : () => true;
      return {
        columns: col('long', derivedName(argNodes[0])),
        create: () => { const seen = new Set<string>(); return { add: (r) => { if (!p(r)) return; const x = v(r); if (x !== null) seen.add(groupKey(x)); }, result: () => [seen.size] }; },
      };
    }
    case 'sum': case 'sumif': {
      const isIf = name === 'sumif';
      argCount(name, argNodes, isIf ? 2 : 1, isIf ? 2 : 1);
      const c = arg(0);
      if (!isNumeric(c.type) && c.type !== 'timespan' && c.type !== 'dynamic') throw new KqlError(`${name}() needs a numeric argument, got ${c.type}`);
      const type: KType = c.type === 'int' ? 'long' : c.type === 'dynamic' ? 'real' : c.type;
      const p = isIf ? predicate(arg(1), name) : () => true;
      const v = c.fn;
      return {
        columns: col(type, derivedName(argNodes[0])),
        create: () => { let s = 0, any = false; return { add: (r) => { if (!p(r)) return; const x = v(r); if (typeof x === 'number') { s += x; any = true; } }, result: () => [any ? s : null] }; },
      };
    }
    case 'avg': case 'avgif': {
      const isIf = name === 'avgif';
      argCount(name, argNodes, isIf ? 2 : 1, isIf ? 2 : 1);
      const c = arg(0);
      const p = isIf ? predicate(arg(1), name) : () => true;
      const v = c.fn;
      return {
        columns: col(c.type === 'timespan' || c.type === 'datetime' ? c.type : 'real', derivedName(argNodes[0])),
        create: () => { let s = 0, n = 0; return { add: (r) => { if (!p(r)) return; const x = v(r); if (typeof x === 'number') { s += x; n++; } }, result: () => [n ? s / n : null] }; },
      };
    }
    case 'min': case 'max': case 'minif': case 'maxif': {
      const isIf = name.endsWith('if');
      argCount(name, argNodes, isIf ? 2 : 1, isIf ? 2 : 1);
      const c = arg(0);
      const sign = name.startsWith('max') ? 1 : -1;
      const p = isIf ? predicate(arg(1), name) : () => true;
      const v = c.fn;
      return {
        columns: col(c.type, derivedName(argNodes[0])),
        create: () => {
          let best: unknown = null;
          return {
            add: (r) => { if (!p(r)) return; const x = v(r); if (x === null || x === '') return; if (best === null) { best = x; return; } const k = compareValues(x, best); if (k !== null && k * sign > 0) best = x; },
            result: () => [best === null && c.type === 'string' ? '' : best],
          };
        },
      };
    }
    case 'any': case 'take_any': case 'takeany': {
      if (argNodes.length !== 1 || kindName(argNodes[0]) === 'StarExpression') throw unsupported(`${name}() with other than one argument`);
      const c = arg(0);
      const v = c.fn;
      return {
        columns: [{ name: outName ?? derivedAnyName(argNodes[0]), type: c.type }],
        create: () => { let got: unknown = null, done = false; return { add: (r) => { if (done) return; const x = v(r); if (x !== null && x !== '') { got = x; done = true; } }, result: () => [got === null && c.type === 'string' ? '' : got] }; },
      };
    }
    case 'make_set': case 'make_list': case 'make_set_if': case 'make_list_if': {
      const isIf = name.endsWith('_if');
      argCount(name, argNodes, isIf ? 2 : 1, isIf ? 3 : 2);
      const c = arg(0);
      const limitNode = argNodes[isIf ? 2 : 1];
      const limit = limitNode ? Number(compileScalar(limitNode, scope).fn([])) : 1_048_576;
      const p = isIf ? predicate(arg(1), name) : () => true;
      const v = c.fn;
      const isSet = name.startsWith('make_set');
      return {
        columns: [{ name: outName ?? `${isSet ? 'set' : 'list'}_${derivedName(argNodes[0])}`, type: 'dynamic' }],
        create: () => {
          const out: unknown[] = [];
          const seen = new Set<string>();
          const push = (x: unknown) => {
            if (x === null || out.length >= limit) return;
            if (isSet) { const k = groupKey(x); if (seen.has(k)) return; seen.add(k); }
            out.push(jsonCell(x, c.type));
          };
          return {
            add: (r) => { if (!p(r)) return; const x = v(r); if (isSet && Array.isArray(x)) x.forEach(push); else push(x); },
            result: () => [out],
          };
        },
      };
    }
    case 'arg_max': case 'arg_min': return argExtreme(name, argNodes, outName, scope, byNames);
  }
  throw unsupported(`the aggregate function '${name}()'`);
}

function derivedAnyName(node: SyntaxNode): string {
  const d = derivedName(node);
  return `any_${d}`;
}

function argExtreme(name: string, argNodes: SyntaxNode[], outName: string | null, scope: RowScope, byNames: Set<string>): Aggregate {
  if (argNodes.length < 1) throw new KqlError(`${name}() needs an expression to maximize or minimize`);
  const key = compileScalar(argNodes[0], scope);
  const keyName = outName ?? (derivedName(argNodes[0]) || `${name === 'arg_max' ? 'max' : 'min'}_`);
  const columns: Column[] = [{ name: keyName, type: key.type }];
  const getters: ((r: unknown[]) => unknown)[] = [];
  const taken = new Set<string>([keyName]);
  for (const a of argNodes.slice(1)) {
    if (kindName(a) === 'StarExpression') {
      scope.columns.forEach((c, i) => {
        if (byNames.has(c.name) || taken.has(c.name)) return;
        taken.add(c.name);
        columns.push({ name: c.name, type: c.type });
        getters.push((r) => r[i]);
      });
      continue;
    }
    let exprNode = a;
    let colName: string;
    if (kindName(a) === 'SimpleNamedExpression') {
      colName = (prop(a, 'Name') as SyntaxNode).SimpleName as string;
      exprNode = prop(a, 'Expression') as SyntaxNode;
    } else colName = derivedName(a) || `${name}_arg${columns.length}`;
    const c = compileScalar(exprNode, scope);
    if (taken.has(colName)) continue;
    taken.add(colName);
    columns.push({ name: colName, type: c.type });
    getters.push(c.fn);
  }
  const sign = name === 'arg_max' ? 1 : -1;
  const k = key.fn;
  return {
    columns,
    create: () => {
      let best: unknown = null;
      let bestRow: unknown[] | null = null;
      return {
        add: (r) => {
          const x = k(r);
          if (x === null) return;
          if (bestRow === null) { best = x; bestRow = r; return; }
          const c = compareValues(x, best);
          if (c !== null && c * sign > 0) { best = x; bestRow = r; }
        },
        result: () => {
          const row = bestRow;
          if (row === null) return columns.map((c) => (c.type === 'string' ? '' : null));
          return [best, ...getters.map((g) => g(row))];
        },
      };
    },
  };
}
