// Compiles a scalar syntax tree to a closure over a row (an array of cells) once per operator, so a million rows
// cost a million closure calls rather than a million tree walks. Each compiled expression carries its Kusto type.
import { KqlError, unsupported } from './errors';
import { kindName, prop, elements, textOf, type SyntaxNode } from './language';
import {
  type Column, type KType, type Table, commonType, compareValues, groupKey, isNumeric, sameValue, toDatetime,
  toStringValue, toTimespan, toNumber, typeOfDynamic,
} from './values';
import { callFunction } from './functions';

export type RowFn = (row: unknown[]) => unknown;

export interface Compiled { type: KType; fn: RowFn; constant?: boolean }

export type LetValue = { kind: 'scalar'; type: KType; value: unknown } | { kind: 'table'; node: SyntaxNode; scope: QueryScope };

/** What a query can see: its clock, its `let` names and the tables of its target (workspace or Resource Graph). */
export interface QueryScope {
  now: number;
  lets: Map<string, LetValue>;
  resolveTable(name: string): Table | undefined;
  /** Tabular `let` values evaluated so far in this run. */
  letTables: Map<SyntaxNode, Table>;
  /** Evaluates a tabular expression (for `x in (subquery)`); set by the tabular compiler. */
  evalTable(node: SyntaxNode, scope: QueryScope): Table;
}

/** The columns an expression can reference, plus the query scope. */
export interface RowScope {
  columns: Column[];
  index: Map<string, number>;
  query: QueryScope;
  /** Sub-expressions already compiled elsewhere (summarize's aggregate calls inside an expression), by position. */
  overrides?: Map<string, Compiled>;
}

/** The key `overrides` uses for a node: its place in the query text. */
export function nodeKey(node: SyntaxNode): string {
  return `${node.TextStart}:${node.Width}`;
}

export function rowScope(columns: Column[], query: QueryScope): RowScope {
  const index = new Map<string, number>();
  columns.forEach((c, i) => index.set(c.name, i));
  return { columns, index, query };
}

export function constant(type: KType, value: unknown): Compiled {
  return { type, fn: () => value, constant: true };
}

/** Compiles `node`; constant sub-expressions are folded. */
export function compileScalar(node: SyntaxNode, scope: RowScope): Compiled {
  return compileNode(node, scope);
}

function compileNode(node: SyntaxNode, scope: RowScope): Compiled {
  const done = scope.overrides?.get(nodeKey(node));
  if (done) return done;
  const kind = kindName(node);
  if (node.IsLiteral && kind !== 'DynamicExpression' && kind !== 'TypeOfLiteralExpression') return literal(node, kind);
  switch (kind) {
    case 'NameReference': return nameReference(node, scope);
    case 'ParenthesizedExpression': return compileNode(prop(node, 'Expression') as SyntaxNode, scope);
    case 'DynamicExpression': return constant('dynamic', jsonOf(prop(node, 'Expression') as SyntaxNode));
    case 'PathExpression': return pathAccess(node, scope);
    case 'ElementExpression': return elementAccess(node, scope);
    case 'FunctionCallExpression': return functionCall(node, scope);
    case 'UnaryMinusExpression': {
      const e = compileNode(prop(node, 'Expression') as SyntaxNode, scope);
      return fold({ type: e.type, fn: (r) => { const v = e.fn(r); return v === null ? null : -(v as number); } }, [e]);
    }
    case 'UnaryPlusExpression': return compileNode(prop(node, 'Expression') as SyntaxNode, scope);
    case 'AndExpression': case 'OrExpression': return logical(node, kind, scope);
    case 'InExpression': case 'InCsExpression': case 'NotInExpression': case 'NotInCsExpression': return inList(node, kind, scope);
    case 'BetweenExpression': case 'NotBetweenExpression': return between(node, kind === 'NotBetweenExpression', scope);
    case 'HasAnyExpression': return hasAny(node, scope, false);
    case 'HasAllExpression': return hasAny(node, scope, true);
    case 'ToScalarExpression': {
      // Evaluated once when the operator compiles: toscalar() cannot read the row it is used in.
      const t = scope.query.evalTable(prop(node, 'Expression') as SyntaxNode, scope.query);
      if (t.columns.length === 0) return constant('dynamic', null);
      const type = t.columns[0].type;
      return constant(type, t.rows.length > 0 ? t.rows[0][0] : type === 'string' ? '' : null);
    }
    case 'StarExpression': throw new KqlError('`*` is only allowed as an argument of arg_max/arg_min here');
  }
  const binary = BINARY[kind];
  if (binary) {
    const left = compileNode(prop(node, 'Left') as SyntaxNode, scope);
    const right = compileNode(prop(node, 'Right') as SyntaxNode, scope);
    return fold(binary(left, right, () => textOf(node)), [left, right]);
  }
  throw unsupported(`the expression '${textOf(node)}' (${kind})`);
}

/** Folds an expression whose inputs are all constants into a constant. */
export function fold(c: Compiled, inputs: Compiled[]): Compiled {
  if (inputs.every((i) => i.constant)) {
    const v = c.fn([]);
    return { type: c.type, fn: () => v, constant: true };
  }
  return c;
}

// ---------- literals ----------

const LITERAL_TYPES: Record<string, KType> = {
  StringLiteralExpression: 'string', LongLiteralExpression: 'long', IntLiteralExpression: 'int', RealLiteralExpression: 'real',
  DecimalLiteralExpression: 'real', BooleanLiteralExpression: 'bool', DateTimeLiteralExpression: 'datetime',
  TimespanLiteralExpression: 'timespan', GuidLiteralExpression: 'guid', NullLiteralExpression: 'dynamic',
};

function literal(node: SyntaxNode, kind: string): Compiled {
  const type = LITERAL_TYPES[kind];
  if (!type) throw unsupported(`the literal '${textOf(node)}'`);
  return constant(type, literalValue(node, type));
}

function literalValue(node: SyntaxNode, type: KType): unknown {
  // A plain string literal is by far the most common (host lists of a thousand names): no text rebuilt for it.
  if (type === 'string' && typeof node.LiteralValue === 'string') return node.LiteralValue;
  const text = textOf(node);
  const inner = /^\w+\((.*)\)$/s.exec(text);
  if (inner) inner[1] = inner[1].trim().replace(/^(['"])(.*)\1$/s, '$2');
  if (inner && inner[1] === 'null') return type === 'string' ? '' : null;
  switch (type) {
    case 'string': return node.LiteralValue as string;
    case 'datetime': {
      const v = toDatetime(inner ? inner[1] : text);
      if (v === null) throw new KqlError(`Invalid datetime literal ${text}`);
      return v;
    }
    case 'timespan': {
      const v = toTimespan(inner ? inner[1] : text);
      if (v === null) throw new KqlError(`Invalid timespan literal ${text}`);
      return v;
    }
    case 'guid': return (inner ? inner[1] : text).trim().toLowerCase();
    case 'bool': return (inner ? inner[1] : text).trim().toLowerCase() === 'true';
    case 'dynamic': return null;
    default: {
      const n = Number((inner ? inner[1] : text).trim());
      if (Number.isNaN(n)) throw new KqlError(`Invalid numeric literal ${text}`);
      return n;
    }
  }
}

/** The JSON value of a `dynamic(...)` literal's syntax. */
function jsonOf(node: SyntaxNode): unknown {
  const kind = kindName(node);
  switch (kind) {
    case 'JsonObjectExpression': {
      const out: Record<string, unknown> = {};
      for (const pair of elements(node, 'Pairs')) {
        const name = prop(pair, 'Name') as SyntaxNode;
        out[String(name.LiteralValue ?? textOf(name).replace(/^['"]|['"]$/g, ''))] = jsonOf(prop(pair, 'Value') as SyntaxNode);
      }
      return out;
    }
    case 'JsonArrayExpression': return elements(node, 'Values').map(jsonOf);
    case 'NullLiteralExpression': return null;
    case 'UnaryMinusExpression': return -(jsonOf(prop(node, 'Expression') as SyntaxNode) as number);
    default: {
      const type = LITERAL_TYPES[kind];
      if (!type) throw unsupported(`the dynamic literal part '${textOf(node)}'`);
      const v = literalValue(node, type);
      if (type === 'datetime') return new Date(v as number).toISOString();
      return v;
    }
  }
}

// ---------- names and dynamic access ----------

function nameReference(node: SyntaxNode, scope: RowScope): Compiled {
  const name = node.SimpleName as string;
  const i = scope.index.get(name);
  if (i !== undefined) return { type: scope.columns[i].type, fn: (r) => r[i] };
  const let_ = scope.query.lets.get(name);
  if (let_?.kind === 'scalar') return constant(let_.type, let_.value);
  if (let_?.kind === 'table') throw new KqlError(`'${name}' is a tabular expression and cannot be used as a scalar here`);
  throw new KqlError(`'${name}' does not refer to any known column, table, variable or function (SEM0100)`, 'BadArgumentError');
}

function getMember(v: unknown, key: string | number): unknown {
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    if (typeof key !== 'number') return null;
    const i = key < 0 ? v.length + key : key;
    return i >= 0 && i < v.length ? v[i] ?? null : null;
  }
  if (typeof key !== 'string') return null;
  const got = (v as Record<string, unknown>)[key];
  return got === undefined ? null : got;
}

function requireDynamic(target: Compiled, node: SyntaxNode): void {
  if (target.type !== 'dynamic') {
    throw new KqlError(`Property access '${textOf(node)}' needs a dynamic value, got ${target.type}`);
  }
}

function pathAccess(node: SyntaxNode, scope: RowScope): Compiled {
  const target = compileNode(prop(node, 'Expression') as SyntaxNode, scope);
  const selector = prop(node, 'Selector') as SyntaxNode;
  const selKind = kindName(selector);
  let key: string;
  if (selKind === 'NameReference') key = selector.SimpleName as string;
  else if (selKind === 'BracketedExpression') return elementAccess(node, scope);
  else throw unsupported(`the property access '${textOf(node)}'`);
  requireDynamic(target, node);
  const f = target.fn;
  return fold({ type: 'dynamic', fn: (r) => getMember(f(r), key) }, [target]);
}

function elementAccess(node: SyntaxNode, scope: RowScope): Compiled {
  const target = compileNode(prop(node, 'Expression') as SyntaxNode, scope);
  const selector = prop(node, 'Selector') as SyntaxNode;
  const inner = kindName(selector) === 'BracketedExpression' ? prop(selector, 'Expression') as SyntaxNode : selector;
  const index = compileNode(inner, scope);
  requireDynamic(target, node);
  const f = target.fn;
  if (index.constant) {
    const k = index.fn([]);
    const key = typeof k === 'number' ? k : String(k);
    return fold({ type: 'dynamic', fn: (r) => getMember(f(r), key) }, [target]);
  }
  const g = index.fn;
  return { type: 'dynamic', fn: (r) => { const k = g(r); return k === null ? null : getMember(f(r), typeof k === 'number' ? k : String(k)); } };
}

// ---------- function calls ----------

function functionCall(node: SyntaxNode, scope: RowScope): Compiled {
  const name = (prop(node, 'Name') as SyntaxNode).SimpleName as string;
  const argNodes = elements(prop(node, 'ArgumentList') as SyntaxNode, 'Expressions');
  return callFunction(name, argNodes, scope, node);
}

// ---------- operators ----------

/** `text` gives the expression's source for error messages (computed only when one is thrown). */
type Binary = (l: Compiled, r: Compiled, text: () => string) => Compiled;

function str(c: Compiled): RowFn {
  const f = c.fn;
  if (c.type === 'string') return f;
  const t = c.type;
  return (r) => toStringValue(f(r), t);
}

/** The value of a dynamic operand in the type of the other operand (dynamic 5 compares to long 5). */
function runtimeOperand(c: Compiled, other: KType): RowFn {
  if (c.type !== 'dynamic' || other === 'dynamic') return c.fn;
  const f = c.fn;
  if (other === 'datetime') return (r) => toDatetime(f(r));
  if (other === 'timespan') return (r) => toTimespan(f(r));
  if (other === 'string' || other === 'guid') return (r) => { const v = f(r); return v === null ? null : toStringValue(v, 'dynamic'); };
  return f;
}

/** Operand types Kusto refuses to compare (a string against a number, a datetime or a timespan; a bool against those). */
function checkComparable(l: KType, r: KType, text: () => string): void {
  const kind = (t: KType) => (isNumeric(t) ? 'number' : t === 'guid' ? 'string' : t);
  const a = kind(l), b = kind(r);
  if (a === 'dynamic' || b === 'dynamic' || a === b) return;
  throw new KqlError(`Cannot compare values of types ${l} and ${r} in '${text()}'`);
}

function equality(negate: boolean): Binary {
  return (l, r, text) => {
    checkComparable(l.type, r.type, text);
    const a = runtimeOperand(l, r.type), b = runtimeOperand(r, l.type);
    if (l.type === 'string' && r.type === 'string') {
      return { type: 'bool', fn: negate ? (x) => a(x) !== b(x) : (x) => a(x) === b(x) };
    }
    return {
      type: 'bool',
      fn: (x) => {
        const u = a(x), v = b(x);
        if (u === null || v === null) return u === null && v === null ? null : negate;
        return sameValue(u, v) !== negate;
      },
    };
  };
}

function caseInsensitiveEquality(negate: boolean): Binary {
  return (l, r) => {
    const a = str(l), b = str(r);
    if (r.constant) {
      const n = (b([]) as string).toLowerCase();
      return { type: 'bool', fn: (x) => { const h = a(x) as string; return (h.length === n.length && h.toLowerCase() === n) !== negate; } };
    }
    return { type: 'bool', fn: (x) => ((a(x) as string).toLowerCase() === (b(x) as string).toLowerCase()) !== negate };
  };
}

function comparison(test: (c: number) => boolean): Binary {
  return (l, r, text) => {
    checkComparable(l.type, r.type, text);
    const a = runtimeOperand(l, r.type), b = runtimeOperand(r, l.type);
    return {
      type: 'bool',
      fn: (x) => {
        const u = a(x), v = b(x);
        if (u === null || v === null) return null;
        const c = compareValues(u, v);
        return c === null ? null : test(c);
      },
    };
  };
}

function numericOf(c: Compiled): RowFn {
  if (c.type !== 'dynamic' && c.type !== 'string') return c.fn;
  const f = c.fn;
  return (r) => toNumber(f(r));
}

function arithmeticType(op: string, l: KType, r: KType, text: () => string): KType {
  const dyn = l === 'dynamic' || r === 'dynamic';
  if (dyn) return l === 'dynamic' && r === 'dynamic' ? 'dynamic' : l === 'dynamic' ? (r === 'datetime' ? 'timespan' : r) : (l === 'datetime' && op === '-' ? 'timespan' : l);
  if (l === 'datetime' && r === 'datetime' && op === '-') return 'timespan';
  if (l === 'datetime' && r === 'timespan' && (op === '+' || op === '-')) return 'datetime';
  if (l === 'timespan' && r === 'datetime' && op === '+') return 'datetime';
  if (l === 'timespan' && r === 'timespan') return op === '/' ? 'real' : op === '*' ? (() => { throw bad(); })() : 'timespan';
  if (l === 'timespan' && isNumeric(r) && (op === '*' || op === '/')) return 'timespan';
  if (isNumeric(l) && r === 'timespan' && op === '*') return 'timespan';
  if (isNumeric(l) && isNumeric(r)) return l === 'int' && r === 'int' ? 'int' : commonType(l, r);
  throw bad();
  function bad() { return new KqlError(`The operator '${op}' is not defined for ${l} and ${r} in '${text()}'`); }
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%'): Binary {
  return (l, r, text) => {
    const type = arithmeticType(op, l.type, r.type, text);
    const a = numericOf(l), b = numericOf(r);
    const integral = (type === 'long' || type === 'int') && l.type !== 'dynamic' && r.type !== 'dynamic';
    let f: (u: number, v: number) => number | null;
    switch (op) {
      case '+': f = (u, v) => u + v; break;
      case '-': f = (u, v) => u - v; break;
      case '*': f = (u, v) => u * v; break;
      case '/': f = integral ? (u, v) => (v === 0 ? null : Math.trunc(u / v)) : (u, v) => (v === 0 && type !== 'real' ? null : u / v); break;
      case '%': f = (u, v) => (v === 0 ? null : u % v); break;
    }
    return {
      type,
      fn: (x) => {
        const u = a(x), v = b(x);
        if (u === null || v === null || u === undefined || v === undefined) return null;
        return f(u as number, v as number);
      },
    };
  };
}

/** Kusto's term boundary: a term is a run of ASCII letters and digits. */
function isTermChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** `has`: the needle occurs in the haystack as whole terms (case-insensitive unless `cs`). */
export function hasTerm(haystack: string, needle: string, cs: boolean, mode: 'whole' | 'prefix' | 'suffix' = 'whole'): boolean {
  if (needle === '') return true;
  const h = cs ? haystack : haystack.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  const checkStart = mode !== 'suffix' && isTermChar(n.charCodeAt(0));
  const checkEnd = mode !== 'prefix' && isTermChar(n.charCodeAt(n.length - 1));
  let from = 0;
  for (;;) {
    const i = h.indexOf(n, from);
    if (i < 0) return false;
    const okStart = !checkStart || i === 0 || !isTermChar(h.charCodeAt(i - 1));
    const end = i + n.length;
    const okEnd = !checkEnd || end === h.length || !isTermChar(h.charCodeAt(end));
    if (okStart && okEnd) return true;
    from = i + 1;
  }
}

type StringTest = 'contains' | 'startswith' | 'endswith';

const STRING_TESTS: Record<StringTest, { test: (h: string, n: string) => boolean; pattern: (escaped: string) => string }> = {
  contains: { test: (h, n) => h.includes(n), pattern: (e) => e },
  startswith: { test: (h, n) => h.startsWith(n), pattern: (e) => `^${e}` },
  endswith: { test: (h, n) => h.endsWith(n), pattern: (e) => `${e}$` },
};

function stringPredicate(kind: StringTest, negate: boolean, ignoreCase: boolean): Binary {
  const { test, pattern } = STRING_TESTS[kind];
  return (l, r) => {
    const a = str(l), b = str(r);
    if (r.constant) {
      const n = b([]) as string;
      if (ignoreCase) {
        // One case-insensitive regular expression: no lower-cased copy of every row's text.
        const re = new RegExp(pattern(escapeRegex(n)), 'i');
        return { type: 'bool', fn: (x) => re.test(a(x) as string) !== negate };
      }
      return { type: 'bool', fn: (x) => test(a(x) as string, n) !== negate };
    }
    return {
      type: 'bool',
      fn: ignoreCase
        ? (x) => test((a(x) as string).toLowerCase(), (b(x) as string).toLowerCase()) !== negate
        : (x) => test(a(x) as string, b(x) as string) !== negate,
    };
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A constant `has` needle as one regular expression: term boundaries where the needle starts or ends a term. */
function termRegex(needle: string, cs: boolean, mode: 'whole' | 'prefix' | 'suffix'): RegExp {
  const start = mode !== 'suffix' && isTermChar(needle.charCodeAt(0)) ? '(?<![A-Za-z0-9])' : '';
  const end = mode !== 'prefix' && isTermChar(needle.charCodeAt(needle.length - 1)) ? '(?![A-Za-z0-9])' : '';
  return new RegExp(start + escapeRegex(needle) + end, cs ? '' : 'i');
}

function hasOp(cs: boolean, negate: boolean, mode: 'whole' | 'prefix' | 'suffix' = 'whole'): Binary {
  return (l, r) => {
    const a = str(l), b = str(r);
    if (r.constant && (b([]) as string) !== '') {
      const re = termRegex(b([]) as string, cs, mode);
      return { type: 'bool', fn: (x) => re.test(a(x) as string) !== negate };
    }
    return { type: 'bool', fn: (x) => hasTerm(a(x) as string, b(x) as string, cs, mode) !== negate };
  };
}

function regexMatch(l: Compiled, r: Compiled, text: () => string): Compiled {
  if (!r.constant) throw new KqlError(`'matches regex' needs a constant pattern in '${text()}'`);
  const re = compileRegex(r.fn([]) as string);
  const a = str(l);
  return { type: 'bool', fn: (x) => re.test(a(x) as string) };
}

/** Kusto uses RE2 syntax; JavaScript's engine accepts the common subset. `(?i)` becomes the `i` flag. */
export function compileRegex(pattern: string): RegExp {
  let flags = '';
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    p = p.slice(m[0].length);
    for (const f of m[1]) if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  try {
    return new RegExp(p, flags);
  } catch (e) {
    throw new KqlError(`Invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
}

const BINARY: Record<string, Binary> = {
  EqualExpression: equality(false),
  NotEqualExpression: equality(true),
  EqualTildeExpression: caseInsensitiveEquality(false),
  BangTildeExpression: caseInsensitiveEquality(true),
  LessThanExpression: comparison((c) => c < 0),
  LessThanOrEqualExpression: comparison((c) => c <= 0),
  GreaterThanExpression: comparison((c) => c > 0),
  GreaterThanOrEqualExpression: comparison((c) => c >= 0),
  AddExpression: arithmetic('+'),
  SubtractExpression: arithmetic('-'),
  MultiplyExpression: arithmetic('*'),
  DivideExpression: arithmetic('/'),
  ModuloExpression: arithmetic('%'),
  HasExpression: hasOp(false, false),
  NotHasExpression: hasOp(false, true),
  HasCsExpression: hasOp(true, false),
  NotHasCsExpression: hasOp(true, true),
  HasPrefixExpression: hasOp(false, false, 'prefix'),
  NotHasPrefixExpression: hasOp(false, true, 'prefix'),
  HasSuffixExpression: hasOp(false, false, 'suffix'),
  NotHasSuffixExpression: hasOp(false, true, 'suffix'),
  ContainsExpression: stringPredicate('contains', false, true),
  NotContainsExpression: stringPredicate('contains', true, true),
  ContainsCsExpression: stringPredicate('contains', false, false),
  NotContainsCsExpression: stringPredicate('contains', true, false),
  StartsWithExpression: stringPredicate('startswith', false, true),
  NotStartsWithExpression: stringPredicate('startswith', true, true),
  StartsWithCsExpression: stringPredicate('startswith', false, false),
  NotStartsWithCsExpression: stringPredicate('startswith', true, false),
  EndsWithExpression: stringPredicate('endswith', false, true),
  NotEndsWithExpression: stringPredicate('endswith', true, true),
  EndsWithCsExpression: stringPredicate('endswith', false, false),
  NotEndsWithCsExpression: stringPredicate('endswith', true, false),
  MatchesRegexExpression: regexMatch,
};

function asBool(c: Compiled, text: () => string): RowFn {
  if (c.type === 'bool') return c.fn;
  if (c.type === 'dynamic') { const f = c.fn; return (r) => { const v = f(r); return typeof v === 'boolean' ? v : null; }; }
  throw new KqlError(`'${text()}' needs bool operands, got ${c.type}`);
}

function logical(node: SyntaxNode, kind: string, scope: RowScope): Compiled {
  const l = compileNode(prop(node, 'Left') as SyntaxNode, scope);
  const r = compileNode(prop(node, 'Right') as SyntaxNode, scope);
  const text = () => textOf(node);
  const a = asBool(l, text), b = asBool(r, text);
  const fn: RowFn = kind === 'AndExpression'
    ? (x) => { const u = a(x); if (u === false) return false; const v = b(x); if (v === false) return false; return u === null || v === null ? null : true; }
    : (x) => { const u = a(x); if (u === true) return true; const v = b(x); if (v === true) return true; return u === null || v === null ? null : false; };
  return fold({ type: 'bool', fn }, [l, r]);
}

/** The values an `in` list stands for: scalars, the elements of dynamic arrays, or a subquery's first column. */
function inValues(listNode: SyntaxNode, scope: RowScope): Compiled[] {
  const out: Compiled[] = [];
  for (const item of elements(listNode, 'Expressions')) {
    if (isTabularNode(item, scope)) {
      const t = scope.query.evalTable(item, scope.query);
      if (t.columns.length === 0) continue;
      const type = t.columns[0].type;
      for (const row of t.rows) out.push(constant(type, row[0]));
      continue;
    }
    const c = compileNode(item, scope);
    if (c.constant && c.type === 'dynamic' && Array.isArray(c.fn([]))) {
      for (const v of c.fn([]) as unknown[]) out.push(constant(typeOfDynamic(v), v));
    } else out.push(c);
  }
  return out;
}

/** Whether a node denotes a table (a pipe, a table or tabular `let` name, a datatable…) rather than a scalar. */
export function isTabularNode(node: SyntaxNode, scope: RowScope | null, query?: QueryScope): boolean {
  const kind = kindName(node);
  const q = scope?.query ?? query;
  if (kind === 'PipeExpression' || kind === 'DataTableExpression' || kind === 'UnionOperator' || kind === 'PrintOperator' || kind === 'MaterializeExpression') return true;
  if (kind === 'ParenthesizedExpression') return isTabularNode(prop(node, 'Expression') as SyntaxNode, scope, q);
  if (kind === 'NameReference') {
    const name = node.SimpleName as string;
    if (scope?.index.has(name)) return false;
    const l = q?.lets.get(name);
    if (l) return l.kind === 'table';
    return !!q?.resolveTable(name);
  }
  return false;
}

function inList(node: SyntaxNode, kind: string, scope: RowScope): Compiled {
  const left = compileNode(prop(node, 'Left') as SyntaxNode, scope);
  const values = inValues(prop(node, 'Right') as SyntaxNode, scope);
  const ci = kind === 'InCsExpression' || kind === 'NotInCsExpression';
  const negate = kind === 'NotInExpression' || kind === 'NotInCsExpression';
  const keyOf = ci ? (v: unknown) => (typeof v === 'string' ? 's' + v.toLowerCase() : groupKey(v)) : groupKey;
  const lf = left.type === 'dynamic' || left.type === 'string' ? left.fn : runtimeOperand(left, 'dynamic');
  if (values.every((v) => v.constant)) {
    const set = new Set(values.map((v) => keyOf(v.fn([]))));
    return fold({ type: 'bool', fn: (r) => { const v = lf(r); return v === null ? negate : set.has(keyOf(v)) !== negate; } }, [left]);
  }
  return {
    type: 'bool',
    fn: (r) => {
      const v = lf(r);
      if (v === null) return negate;
      const k = keyOf(v);
      for (const c of values) if (keyOf(c.fn(r)) === k) return !negate;
      return negate;
    },
  };
}

function between(node: SyntaxNode, negate: boolean, scope: RowScope): Compiled {
  const left = compileNode(prop(node, 'Left') as SyntaxNode, scope);
  const couple = prop(node, 'Right') as SyntaxNode;
  const lo = compileNode(prop(couple, 'First') as SyntaxNode, scope);
  const hiRaw = compileNode(prop(couple, 'Second') as SyntaxNode, scope);
  // `datetime between (start .. timespan)` means start .. start + timespan.
  const hi: Compiled = left.type === 'datetime' && hiRaw.type === 'timespan'
    ? { type: 'datetime', fn: (r) => { const a = lo.fn(r) as number | null, b = hiRaw.fn(r) as number | null; return a === null || b === null ? null : a + b; } }
    : hiRaw;
  const a = runtimeOperand(left, lo.type);
  return {
    type: 'bool',
    fn: (r) => {
      const v = a(r), x = lo.fn(r), y = hi.fn(r);
      if (v === null || x === null || y === null) return null;
      const c1 = compareValues(v, x), c2 = compareValues(v, y);
      if (c1 === null || c2 === null) return null;
      return (c1 >= 0 && c2 <= 0) !== negate;
    },
  };
}

/** `has_any` / `has_all`: some / every listed term is in the text. */
function hasAny(node: SyntaxNode, scope: RowScope, all: boolean): Compiled {
  const left = str(compileNode(prop(node, 'Left') as SyntaxNode, scope));
  const values = inValues(prop(node, 'Right') as SyntaxNode, scope).map((c) => str(c));
  const test = (h: string, r: unknown[]) => (v: RowFn) => hasTerm(h, v(r) as string, false);
  return { type: 'bool', fn: all ? (r) => values.every(test(left(r) as string, r)) : (r) => values.some(test(left(r) as string, r)) };
}
