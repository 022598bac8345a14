// Tabular operators. Each pipe stage receives its input table, compiles its expressions against the input's
// columns once, then runs the closures over the rows.
import { KqlError, unsupported } from './errors';
import { elements, firstToken, items, kindName, prop, textOf, type SyntaxNode } from './language';
import { compileAggregateExpression, derivedName, type Accumulator, type Aggregate } from './aggregates';
import { compileScalar, rowScope, type Compiled, type QueryScope } from './scalar';
import { type Column, type KType, type Table, commonType, compareValues, fromJson, groupKey, typeFromName } from './values';

/** Evaluates a tabular expression node. */
export function evalTable(node: SyntaxNode, scope: QueryScope): Table {
  const kind = kindName(node);
  switch (kind) {
    case 'NameReference': return tableByName(node.SimpleName as string, scope);
    case 'ParenthesizedExpression': case 'MaterializeExpression': return evalTable(prop(node, 'Expression') as SyntaxNode, scope);
    case 'PipeExpression': {
      const input = evalTable(prop(node, 'Expression') as SyntaxNode, scope);
      return applyOperator(prop(node, 'Operator') as SyntaxNode, input, scope);
    }
    case 'DataTableExpression': return dataTable(node, scope);
    case 'PrintOperator': return print(node, scope);
    case 'UnionOperator': return union(node, null, scope);
  }
  throw unsupported(`'${firstToken(node)}' as a tabular expression (${kind})`);
}

function tableByName(name: string, scope: QueryScope): Table {
  const let_ = scope.lets.get(name);
  if (let_?.kind === 'table') {
    // Evaluated once per query run (parsed trees are shared between runs, tables are not).
    let t = scope.letTables.get(let_.node);
    if (!t) {
      t = evalTable(let_.node, let_.scope);
      scope.letTables.set(let_.node, t);
    }
    return t;
  }
  if (let_?.kind === 'scalar') throw new KqlError(`'${name}' is a scalar and cannot be used as a table`);
  const t = scope.resolveTable(name);
  if (!t) throw new KqlError(`Failed to resolve table expression named '${name}'`, 'BadArgumentError');
  return t;
}

/** The syntax kinds of the query operators `applyOperator` and `evalTable` evaluate (for coverage.ts). */
export const SUPPORTED_OPERATOR_KINDS = new Set([
  'FilterOperator', 'ProjectOperator', 'ProjectAwayOperator', 'ProjectRenameOperator', 'ExtendOperator', 'SummarizeOperator',
  'TakeOperator', 'TopOperator', 'SortOperator', 'DistinctOperator', 'MvExpandOperator', 'JoinOperator', 'UnionOperator',
  'CountOperator', 'PrintOperator',
]);

/** The join kinds `join` evaluates. */
export const SUPPORTED_JOIN_KINDS = new Set(['innerunique', 'inner', 'leftouter']);

function applyOperator(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  const kind = kindName(op);
  switch (kind) {
    case 'FilterOperator': return where(op, input, scope);
    case 'ProjectOperator': return project(op, input, scope);
    case 'ProjectAwayOperator': return projectAway(op, input);
    case 'ProjectRenameOperator': return projectRename(op, input);
    case 'ExtendOperator': return extend(op, input, scope);
    case 'SummarizeOperator': return summarize(op, input, scope);
    case 'TakeOperator': return take(op, input, scope);
    case 'TopOperator': return top(op, input, scope);
    case 'SortOperator': return sort(op, input, scope);
    case 'DistinctOperator': return distinct(op, input, scope);
    case 'MvExpandOperator': return mvExpand(op, input, scope);
    case 'JoinOperator': return join(op, input, scope);
    case 'UnionOperator': return union(op, input, scope);
    case 'CountOperator': return { columns: [{ name: 'Count', type: 'long' }], rows: [[input.rows.length]] };
  }
  throw unsupported(`the operator '${firstToken(op)}'`);
}

function noParameters(op: SyntaxNode, name: string): void {
  for (const p of items(op, 'Parameters')) {
    const pname = textOf(prop(p, 'Name') as SyntaxNode);
    if (!pname.toLowerCase().startsWith('hint.')) throw unsupported(`the parameter '${pname}' of ${name}`);
  }
}

function parameters(op: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (const p of items(op, 'Parameters')) out.set(textOf(prop(p, 'Name') as SyntaxNode).toLowerCase(), prop(p, 'Expression') as SyntaxNode);
  return out;
}

function constantValue(node: SyntaxNode, scope: QueryScope): unknown {
  const c = compileScalar(node, rowScope([], scope));
  if (!c.constant) throw new KqlError(`'${textOf(node)}' must be a constant`);
  return c.fn([]);
}

// ---------- where, project, extend ----------

function where(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  noParameters(op, 'where');
  const c = compileScalar(prop(op, 'Condition') as SyntaxNode, rowScope(input.columns, scope));
  if (c.type !== 'bool' && c.type !== 'dynamic') throw new KqlError(`where needs a bool predicate, got ${c.type}: '${textOf(prop(op, 'Condition') as SyntaxNode)}'`);
  const f = c.fn;
  const rows: unknown[][] = [];
  for (const r of input.rows) if (f(r) === true) rows.push(r);
  return { columns: input.columns, rows };
}

interface NamedColumn { name: string; c: Compiled }

/** `name = expr` or a bare expression (named after its column, `a.b` → `a_b`, otherwise `Column1`, …). */
function namedExpressions(nodes: SyntaxNode[], input: Table, scope: QueryScope, taken: Set<string>, autoPrefix?: string): NamedColumn[] {
  const rs = rowScope(input.columns, scope);
  // print names its unnamed columns print_0, print_1, …; project names them Column1, Column2, …
  let auto = autoPrefix ? -1 : 0;
  return nodes.map((n) => {
    if (kindName(n) === 'SimpleNamedExpression') {
      return { name: (prop(n, 'Name') as SyntaxNode).SimpleName as string, c: compileScalar(prop(n, 'Expression') as SyntaxNode, rs) };
    }
    if (kindName(n) === 'CompoundNamedExpression') throw unsupported(`the named tuple '${textOf(n)}'`);
    let name = derivedName(n);
    if (!name) {
      do name = `${autoPrefix ?? 'Column'}${++auto}`; while (taken.has(name));
    }
    taken.add(name);
    return { name, c: compileScalar(n, rs) };
  });
}

function wildcard(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

function isWildcard(n: SyntaxNode): boolean {
  return kindName(n) === 'NameReference' && textOf(n).includes('*');
}

function project(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  return projectList(elements(op, 'Expressions'), input, scope);
}

function projectList(nodes: SyntaxNode[], input: Table, scope: QueryScope, autoPrefix?: string): Table {
  const out: NamedColumn[] = [];
  const seen = new Set<string>();
  const plain = nodes.filter((n) => !isWildcard(n));
  const compiled = namedExpressions(plain, input, scope, new Set(input.columns.map((c) => c.name)), autoPrefix);
  let k = 0;
  for (const n of nodes) {
    if (isWildcard(n)) {
      const re = wildcard(textOf(n));
      input.columns.forEach((col, i) => {
        if (re.test(col.name) && !seen.has(col.name)) { seen.add(col.name); out.push({ name: col.name, c: { type: col.type, fn: (r) => r[i] } }); }
      });
      continue;
    }
    const nc = compiled[k++];
    if (seen.has(nc.name)) throw new KqlError(`project: the column '${nc.name}' is named twice`);
    seen.add(nc.name);
    out.push(nc);
  }
  const fns = out.map((o) => o.c.fn);
  return { columns: out.map((o) => ({ name: o.name, type: o.c.type })), rows: input.rows.map((r) => fns.map((f) => f(r))) };
}

function projectAway(op: SyntaxNode, input: Table): Table {
  const drop = new Set<number>();
  for (const n of elements(op, 'Expressions')) {
    const text = textOf(n);
    const re = wildcard(text);
    let matched = false;
    input.columns.forEach((c, i) => { if (re.test(c.name)) { drop.add(i); matched = true; } });
    if (!matched && !text.includes('*')) throw new KqlError(`project-away: '${text}' does not refer to any known column`);
  }
  const keep = input.columns.map((_, i) => i).filter((i) => !drop.has(i));
  return { columns: keep.map((i) => input.columns[i]), rows: input.rows.map((r) => keep.map((i) => r[i])) };
}

function projectRename(op: SyntaxNode, input: Table): Table {
  const columns = input.columns.map((c) => ({ ...c }));
  for (const n of elements(op, 'Expressions')) {
    if (kindName(n) !== 'SimpleNamedExpression') throw new KqlError(`project-rename needs 'new = old', got '${textOf(n)}'`);
    const to = (prop(n, 'Name') as SyntaxNode).SimpleName as string;
    const from = textOf(prop(n, 'Expression') as SyntaxNode);
    const col = input.columns.findIndex((c) => c.name === from);
    if (col < 0) throw new KqlError(`project-rename: '${from}' does not refer to any known column`);
    if (columns.some((c, i) => i !== col && c.name === to)) throw new KqlError(`project-rename: a column named '${to}' already exists`);
    columns[col].name = to;
  }
  return { columns, rows: input.rows };
}

function extend(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  // Later expressions may use the columns earlier ones define (`extend x = 1, y = x + 1`).
  const columns = [...input.columns];
  const taken = new Set(columns.map((c) => c.name));
  const targets: number[] = [];
  const fns: ((r: unknown[]) => unknown)[] = [];
  let auto = 0;
  for (const n of elements(op, 'Expressions')) {
    const rs = rowScope(columns, scope);
    let name: string;
    let c: Compiled;
    if (kindName(n) === 'SimpleNamedExpression') {
      name = (prop(n, 'Name') as SyntaxNode).SimpleName as string;
      c = compileScalar(prop(n, 'Expression') as SyntaxNode, rs);
    } else {
      name = derivedName(n);
      if (!name) do name = `Column${++auto}`; while (taken.has(name));
      c = compileScalar(n, rs);
    }
    taken.add(name);
    const at = columns.findIndex((col) => col.name === name);
    if (at >= 0) { columns[at] = { name, type: c.type }; targets.push(at); } else { columns.push({ name, type: c.type }); targets.push(columns.length - 1); }
    fns.push(c.fn);
  }
  const width = columns.length;
  const rows = input.rows.map((r) => {
    const out = r.slice();
    out.length = width;
    for (let j = 0; j < fns.length; j++) out[targets[j]] = fns[j](out);
    return out;
  });
  return { columns, rows };
}

// ---------- summarize ----------

/** Names for group expressions: a column keeps its name; `bin(x, …)` and conversions of `x` are named `x`. */
function byName(node: SyntaxNode): string {
  const d = derivedName(node);
  if (d) return d;
  if (kindName(node) === 'FunctionCallExpression') {
    const fname = ((prop(node, 'Name') as SyntaxNode).SimpleName as string).toLowerCase();
    const args = elements(prop(node, 'ArgumentList') as SyntaxNode, 'Expressions');
    if (args.length > 0 && (fname === 'bin' || fname === 'floor' || fname.startsWith('to') || fname === 'startofday')) return byName(args[0]);
  }
  return '';
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

function summarize(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  noParameters(op, 'summarize');
  const rs = rowScope(input.columns, scope);
  const byClause = prop(op, 'ByClause');
  const byNodes = byClause ? elements(byClause, 'Expressions') : [];
  const taken = new Set<string>();
  let auto = 0;
  const by: NamedColumn[] = byNodes.map((n) => {
    if (kindName(n) === 'SimpleNamedExpression') {
      return { name: uniqueName((prop(n, 'Name') as SyntaxNode).SimpleName as string, taken), c: compileScalar(prop(n, 'Expression') as SyntaxNode, rs) };
    }
    const name = byName(n) || `Column${++auto}`;
    return { name: uniqueName(name, taken), c: compileScalar(n, rs) };
  });
  const byNames = new Set(by.map((b) => b.name));
  const autoName = () => { let name: string; do name = `Column${++auto}`; while (taken.has(name)); return name; };
  const aggs: Aggregate[] = elements(op, 'Aggregates').map((n) => {
    if (kindName(n) === 'CompoundNamedExpression') throw unsupported(`the named tuple '${textOf(n)}'`);
    if (kindName(n) === 'SimpleNamedExpression') {
      return compileAggregateExpression(prop(n, 'Expression') as SyntaxNode, (prop(n, 'Name') as SyntaxNode).SimpleName as string, rs, byNames, autoName);
    }
    return compileAggregateExpression(n, null, rs, byNames, autoName);
  });
  const aggColumns: Column[] = [];
  for (const a of aggs) for (const c of a.columns) aggColumns.push({ name: uniqueName(c.name, taken), type: c.type });
  const columns = [...by.map((b) => ({ name: b.name, type: b.c.type })), ...aggColumns];

  const byFns = by.map((b) => b.c.fn);
  // One string key (the common `by Computer`) groups by the string itself: strings have no null in Kusto.
  const singleString = by.length === 1 && by[0].c.type === 'string';
  const groups = new Map<string, { keys: unknown[]; accs: Accumulator[] }>();
  const newGroup = (keys: unknown[]) => ({ keys, accs: aggs.map((a) => a.create()) });
  if (by.length === 0) groups.set('', newGroup([]));
  for (const r of input.rows) {
    let key: string;
    let keys: unknown[];
    if (byFns.length === 1) { const v = byFns[0](r); keys = [v]; key = singleString ? v as string : groupKey(v); } else {
      keys = byFns.map((f) => f(r));
      key = keys.map(groupKey).join('\u0001');
    }
    let g = groups.get(key);
    if (!g) { g = newGroup(keys); groups.set(key, g); }
    for (const acc of g.accs) acc.add(r);
  }
  const rows: unknown[][] = [];
  for (const g of groups.values()) {
    const row = [...g.keys];
    for (const acc of g.accs) row.push(...acc.result());
    rows.push(row);
  }
  return { columns, rows };
}

// ---------- take, top, sort, distinct, count ----------

function take(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  const n = Number(constantValue(prop(op, 'Expression') as SyntaxNode, scope));
  if (!Number.isFinite(n) || n < 0) throw new KqlError(`take needs a non-negative row count`);
  return { columns: input.columns, rows: input.rows.slice(0, n) };
}

interface SortKey { fn: (r: unknown[]) => unknown; desc: boolean; nullsFirst: boolean }

function sortKey(node: SyntaxNode, input: Table, scope: QueryScope, defaultDesc = true): SortKey {
  let expr = node;
  let desc = defaultDesc;
  let nullsFirst: boolean | null = null;
  if (kindName(node) === 'OrderedExpression') {
    expr = prop(node, 'Expression') as SyntaxNode;
    const ordering = prop(node, 'Ordering');
    const dir = ordering && prop(ordering, 'AscOrDescKeyword');
    if (dir) desc = textOf(dir).toLowerCase() === 'desc';
    const nulls = ordering && prop(ordering, 'NullsClause');
    if (nulls) nullsFirst = textOf(prop(nulls, 'FirstOrLastKeyword') as SyntaxNode).toLowerCase() === 'first';
  }
  const c = compileScalar(expr, rowScope(input.columns, scope));
  // Kusto's default: nulls last when descending, first when ascending.
  return { fn: c.fn, desc, nullsFirst: nullsFirst ?? !desc };
}

function sortRows(rows: unknown[][], keys: SortKey[]): unknown[][] {
  const decorated = rows.map((r) => ({ r, k: keys.map((k) => k.fn(r)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.k[i], y = b.k[i];
      const xn = x === null || x === undefined, yn = y === null || y === undefined;
      if (xn || yn) {
        if (xn && yn) continue;
        return (xn ? -1 : 1) * (keys[i].nullsFirst ? 1 : -1);
      }
      const c = compareValues(x, y) ?? 0;
      if (c !== 0) return keys[i].desc ? -c : c;
    }
    return 0;
  });
  return decorated.map((d) => d.r);
}

function sort(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  noParameters(op, 'sort');
  const keys = elements(op, 'Expressions').map((n) => sortKey(n, input, scope));
  return { columns: input.columns, rows: sortRows(input.rows, keys) };
}

function top(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  noParameters(op, 'top');
  const n = Number(constantValue(prop(op, 'Expression') as SyntaxNode, scope));
  const key = sortKey(prop(op, 'ByExpression') as SyntaxNode, input, scope);
  return { columns: input.columns, rows: sortRows(input.rows, [key]).slice(0, n) };
}

function distinct(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  noParameters(op, 'distinct');
  const nodes = elements(op, 'Expressions');
  const t = nodes.length === 1 && kindName(nodes[0]) === 'StarExpression'
    ? input
    : projectList(nodes, input, scope);
  const seen = new Set<string>();
  const rows: unknown[][] = [];
  for (const r of t.rows) {
    const k = r.map(groupKey).join('\u0001');
    if (!seen.has(k)) { seen.add(k); rows.push(r); }
  }
  return { columns: t.columns, rows };
}

// ---------- mv-expand ----------

function mvExpand(op: SyntaxNode, input: Table, scope: QueryScope): Table {
  const params = parameters(op);
  let bagAsArray = false;
  let indexColumn: string | null = null;
  for (const [name, value] of params) {
    const v = textOf(value).toLowerCase();
    if ((name === 'kind' || name === 'bagexpansion') && (v === 'array' || v === 'bag')) bagAsArray = v === 'array';
    else if (name === 'with_itemindex') indexColumn = textOf(value);
    else if (!name.startsWith('hint.')) throw unsupported(`the parameter '${name}' of mv-expand`);
  }
  const limitClause = prop(op, 'RowLimitClause');
  const limit = limitClause ? Number(constantValue(prop(limitClause, 'RowLimit') as SyntaxNode, scope)) : Infinity;
  const rs = rowScope(input.columns, scope);
  const columns = [...input.columns];
  const targets: { at: number; fn: (r: unknown[]) => unknown; to: KType | null }[] = [];
  for (const e of elements(op, 'Expressions')) {
    let expr = prop(e, 'Expression') as SyntaxNode;
    let name: string;
    if (kindName(expr) === 'SimpleNamedExpression') {
      name = (prop(expr, 'Name') as SyntaxNode).SimpleName as string;
      expr = prop(expr, 'Expression') as SyntaxNode;
    } else name = derivedName(expr);
    if (!name) throw new KqlError(`mv-expand needs a column or 'name = expression', got '${textOf(expr)}'`);
    const c = compileScalar(expr, rs);
    if (c.type !== 'dynamic') throw new KqlError(`mv-expand needs a dynamic column, '${name}' is ${c.type}`);
    const toClause = prop(e, 'ToTypeOf');
    let to: KType | null = null;
    if (toClause) {
      const types = elements(prop(toClause, 'TypeOf') as SyntaxNode, 'Types');
      to = typeFromName(textOf(types[0]));
    }
    let at = columns.findIndex((col) => col.name === name);
    if (at < 0) { columns.push({ name, type: to ?? 'dynamic' }); at = columns.length - 1; } else columns[at] = { name, type: to ?? 'dynamic' };
    targets.push({ at, fn: c.fn, to });
  }
  let indexAt = -1;
  if (indexColumn) { columns.push({ name: indexColumn, type: 'long' }); indexAt = columns.length - 1; }
  const width = columns.length;
  const expandValue = (v: unknown): unknown[] => {
    if (Array.isArray(v)) return v;
    if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, x]) => (bagAsArray ? [k, x] : { [k]: x }));
    return [v];
  };
  const rows: unknown[][] = [];
  for (const r of input.rows) {
    const lists = targets.map((t) => expandValue(t.fn(r)));
    const n = Math.min(Math.max(...lists.map((l) => l.length)), limit);
    for (let i = 0; i < n; i++) {
      const out = r.slice();
      out.length = width;
      targets.forEach((t, j) => {
        const v = i < lists[j].length ? lists[j][i] : null;
        out[t.at] = t.to ? castTo(v, t.to) : v ?? null;
      });
      if (indexAt >= 0) out[indexAt] = i;
      rows.push(out);
    }
  }
  return { columns, rows };
}

/** `to typeof(T)`: a cast, not a conversion — elements not of type T become null. */
function castTo(v: unknown, type: KType): unknown {
  if (v === null || v === undefined) return type === 'string' ? '' : null;
  switch (type) {
    case 'string': return typeof v === 'string' ? v : '';
    case 'long': case 'int': return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'real': case 'decimal': return typeof v === 'number' ? v : null;
    case 'bool': return typeof v === 'boolean' ? v : null;
    case 'dynamic': return v;
    default: return typeof v === 'string' ? fromJson(v, type) : null;
  }
}

// ---------- join ----------

interface JoinKey { left: (r: unknown[]) => unknown; right: (r: unknown[]) => unknown }

function joinKeys(clause: SyntaxNode, left: Table, right: Table, scope: QueryScope): JoinKey[] {
  if (kindName(clause) !== 'JoinOnClause') throw unsupported(`join conditions other than 'on' (${textOf(clause)})`);
  const ls = rowScope(left.columns, scope), rs = rowScope(right.columns, scope);
  const side = (n: SyntaxNode): { side: string; column: SyntaxNode } | null => {
    if (kindName(n) !== 'PathExpression') return null;
    const target = textOf(prop(n, 'Expression') as SyntaxNode);
    if (target !== '$left' && target !== '$right') return null;
    return { side: target, column: prop(n, 'Selector') as SyntaxNode };
  };
  return elements(clause, 'Expressions').map((e) => {
    if (kindName(e) === 'NameReference') {
      return { left: compileScalar(e, ls).fn, right: compileScalar(e, rs).fn };
    }
    if (kindName(e) === 'EqualExpression') {
      const a = side(prop(e, 'Left') as SyntaxNode), b = side(prop(e, 'Right') as SyntaxNode);
      if (a && b && a.side !== b.side) {
        const l = a.side === '$left' ? a : b, r = a.side === '$left' ? b : a;
        return { left: compileScalar(l.column, ls).fn, right: compileScalar(r.column, rs).fn };
      }
    }
    throw unsupported(`the join condition '${textOf(e)}' (only equality of columns)`);
  });
}

function join(op: SyntaxNode, left: Table, scope: QueryScope): Table {
  const params = parameters(op);
  let kind = 'innerunique';
  for (const [name, value] of params) {
    if (name === 'kind') kind = textOf(value).toLowerCase();
    else if (!name.startsWith('hint.')) throw unsupported(`the parameter '${name}' of join`);
  }
  if (!SUPPORTED_JOIN_KINDS.has(kind)) throw unsupported(`join kind=${kind}`);
  const right = evalTable(prop(op, 'Expression') as SyntaxNode, scope);
  const keys = joinKeys(prop(op, 'ConditionClause') as SyntaxNode, left, right, scope);
  const keyOf = (r: unknown[], side: 'left' | 'right'): string | null => {
    let k = '';
    for (const key of keys) {
      const v = key[side](r);
      if (v === null || v === undefined) return null;
      k += groupKey(v) + '\u0001';
    }
    return k;
  };
  const taken = new Set(left.columns.map((c) => c.name));
  const rightColumns = right.columns.map((c) => ({ name: uniqueName(c.name, taken), type: c.type }));
  const columns = [...left.columns, ...rightColumns];
  const index = new Map<string, unknown[][]>();
  for (const r of right.rows) {
    const k = keyOf(r, 'right');
    if (k === null) continue;
    const list = index.get(k);
    if (list) list.push(r); else index.set(k, [r]);
  }
  const emptyRight = right.columns.map((c) => (c.type === 'string' ? '' : null));
  const seenLeft = new Set<string>();
  const rows: unknown[][] = [];
  for (const l of left.rows) {
    const k = keyOf(l, 'left');
    if (kind === 'innerunique') {
      // innerunique keeps one left row per key before joining (Kusto's default join flavour).
      if (k === null || seenLeft.has(k)) continue;
      seenLeft.add(k);
    }
    const matches = k === null ? undefined : index.get(k);
    if (matches) for (const r of matches) rows.push([...l, ...r]);
    else if (kind === 'leftouter') rows.push([...l, ...emptyRight]);
  }
  return { columns, rows };
}

// ---------- union, datatable, print ----------

function union(op: SyntaxNode, input: Table | null, scope: QueryScope): Table {
  const params = parameters(op);
  let fuzzy = false;
  for (const [name, value] of params) {
    if (name === 'isfuzzy') fuzzy = constantValue(value, scope) === true;
    else if (name === 'kind') { if (textOf(value).toLowerCase() !== 'outer') throw unsupported(`union kind=${textOf(value)}`); } else if (!name.startsWith('hint.')) throw unsupported(`the parameter '${name}' of union`);
  }
  const tables: Table[] = input ? [input] : [];
  for (const e of elements(op, 'Expressions')) {
    if (kindName(e) === 'NameReference' && textOf(e).includes('*')) {
      throw unsupported(`wildcard table names in union ('${textOf(e)}')`);
    }
    try {
      tables.push(evalTable(e, scope));
    } catch (err) {
      // isfuzzy=true: a table the workspace lacks is skipped, as Log Analytics does.
      if (fuzzy && err instanceof KqlError && /Failed to resolve table/.test(err.message)) continue;
      throw err;
    }
  }
  if (tables.length === 0) throw new KqlError('union: none of the tables exists', 'BadArgumentError');
  const columns: Column[] = [];
  const pos = new Map<string, number>();
  for (const t of tables) {
    for (const c of t.columns) {
      const at = pos.get(c.name);
      if (at === undefined) { pos.set(c.name, columns.length); columns.push({ ...c }); } else columns[at].type = commonType(columns[at].type, c.type);
    }
  }
  const rows: unknown[][] = [];
  for (const t of tables) {
    const map = t.columns.map((c) => pos.get(c.name) as number);
    const fill: unknown[] = columns.map((c) => (c.type === 'string' ? '' : null));
    for (const r of t.rows) {
      const out = fill.slice();
      for (let i = 0; i < map.length; i++) out[map[i]] = r[i];
      rows.push(out);
    }
  }
  return { columns, rows };
}

function dataTable(node: SyntaxNode, scope: QueryScope): Table {
  const schema = prop(node, 'Schema') as SyntaxNode;
  const columns: Column[] = elements(schema, 'Columns').map((d) => ({
    name: (prop(d, 'Name') as SyntaxNode).SimpleName as string,
    type: typeFromName(textOf(prop(d, 'Type') as SyntaxNode)),
  }));
  const values = elements(node, 'Values').map((v) => compileScalar(v, rowScope([], scope)));
  if (columns.length === 0 || values.length % columns.length !== 0) throw new KqlError('datatable: the number of values is not a multiple of the number of columns');
  const rows: unknown[][] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    rows.push(columns.map((c, j) => {
      const v = values[i + j];
      const raw = v.fn([]);
      return v.type === c.type ? raw : fromJson(raw, c.type);
    }));
  }
  return { columns, rows };
}

function print(node: SyntaxNode, scope: QueryScope): Table {
  return projectList(elements(node, 'Expressions'), { columns: [], rows: [[]] }, scope, 'print_');
}
