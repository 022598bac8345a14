// Loads Microsoft's Kusto language service once per process and gives the engine a small, typed view of its
// syntax tree. The package is a Bridge.NET build that defines the globals `Bridge`, `Kusto` and `System`.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/** A syntax node or token as the engine sees it: its kind name, its children and its named properties. */
export interface SyntaxNode {
  Kind: number;
  ChildCount: number;
  IsToken: boolean;
  IsLiteral?: boolean;
  Text: string;
  TextStart: number;
  Width: number;
  SimpleName?: string;
  LiteralValue?: unknown;
  GetChild(index: number): SyntaxNode | null;
  ToString(includeTrivia?: number): string;
}

export interface KustoDiagnostic {
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}

interface ReadOnlyList<T> { Count: number; getItem(index: number): T }

interface KustoCodeApi {
  Syntax: SyntaxNode;
  GetSyntaxDiagnostics(): ReadOnlyList<KustoDiagnostic>;
  GetDiagnostics(): ReadOnlyList<KustoDiagnostic>;
}

interface KustoGlobals {
  Kusto: {
    Language: {
      KustoCode: { Parse(text: string, globals: unknown): KustoCodeApi; ParseAndAnalyze(text: string, globals: unknown): KustoCodeApi };
      GlobalState: { Default: { WithDatabase(db: unknown): unknown; WithCluster?(c: unknown): unknown } };
      Syntax: { SyntaxKind: unknown };
      Symbols: {
        TableSymbol: { $ctor4: new (name: string, columns: unknown[]) => unknown };
        ColumnSymbol: new (name: string, type: unknown) => unknown;
        ScalarTypes: Record<string, unknown>;
        DatabaseSymbol: { ctor: new (name: string, tables: unknown[]) => unknown };
      };
    };
  };
  System: { Enum: { toString(enumType: unknown, value: number): string } };
}

let loaded: KustoGlobals | null = null;
const kindNames = new Map<number, string>();
const parseCache = new Map<string, KustoCodeApi>();
const PARSE_CACHE_LIMIT = 100;

/** Scripts whose V8 code cache is written after the first parse (when the functions it compiles are in it). */
let uncached: { script: vm.Script; file: string }[] = [];

/**
 * Runs one of the package's two scripts as CommonJS would, but straight through V8: the package's minified build
 * (the same Bridge.NET output, a quarter of the bytes), not through a TypeScript loader's hooks (tsx would scan all
 * 16 MB for ESM syntax in every process), and — when NODE_COMPILE_CACHE names a directory, as `npm test` does — with
 * a V8 code cache kept there beside Node's own: every test process and `npm run sandbox` load it again.
 */
function runScript(dir: string, name: string, version: string): void {
  const filename = path.join(dir, name);
  const source = fs.readFileSync(filename, 'utf8');
  const cacheDir = process.env.NODE_COMPILE_CACHE;
  const cacheFile = cacheDir ? path.join(cacheDir, `kusto-${version}-${name}.v8`) : null;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile);
  } catch {
    /* not written yet */
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename, cachedData });
  const mod = { exports: {} };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, require, mod, filename, dir);
  if (cacheFile && (!cachedData || script.cachedDataRejected)) uncached.push({ script, file: cacheFile });
}

function writeCodeCaches(): void {
  for (const { script, file } of uncached) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file); // whole or not at all: other processes read it meanwhile
    } catch {
      /* a cache is only a cache */
    }
  }
  uncached = [];
}

/** The language service's globals, loaded on first use (about a quarter of a second; the first parse costs more). */
export function kusto(): KustoGlobals {
  if (!loaded) {
    const pkg = require.resolve('@kusto/language-service-next/package.json');
    const { version } = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string };
    runScript(path.dirname(pkg), 'bridge.min.js', version);
    runScript(path.dirname(pkg), 'Kusto.Language.Bridge.min.js', version);
    loaded = globalThis as unknown as KustoGlobals;
  }
  return loaded;
}

/**
 * Loads the language service and pays its first-parse warm-up (together about 1.5 s) ahead of the first query,
 * e.g. right after a server starts listening.
 */
export function warmUp(): void {
  parseQuery('T | where a == 1 | summarize count() by b');
}

export function kindName(node: SyntaxNode): string {
  let name = kindNames.get(node.Kind);
  if (name === undefined) {
    const g = kusto();
    name = g.System.Enum.toString(g.Kusto.Language.Syntax.SyntaxKind, node.Kind);
    kindNames.set(node.Kind, name);
  }
  return name;
}

/** Syntax-only parse, cached by query text (the same queries come back sweep after sweep). */
export function parseQuery(text: string): KustoCodeApi {
  let code = parseCache.get(text);
  if (!code) {
    code = kusto().Kusto.Language.KustoCode.Parse(text, null);
    if (uncached.length) writeCodeCaches();
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.delete(parseCache.keys().next().value as string);
    parseCache.set(text, code);
  }
  return code;
}

export function listOf<T>(list: ReadOnlyList<T> | null | undefined): T[] {
  const out: T[] = [];
  if (!list) return out;
  for (let i = 0; i < list.Count; i++) out.push(list.getItem(i));
  return out;
}

/** A named property of a node (the typed accessors the language service defines per node class). */
export function prop(node: SyntaxNode, name: string): SyntaxNode | null {
  return ((node as unknown as Record<string, unknown>)[name] as SyntaxNode | null | undefined) ?? null;
}

/** The elements of a `SyntaxList<SeparatedElement<T>>` property, separators dropped. */
export function elements(node: SyntaxNode, listName: string): SyntaxNode[] {
  const list = (node as unknown as Record<string, unknown>)[listName] as ReadOnlyList<{ Element: SyntaxNode }> | null;
  return listOf(list).map((e) => e.Element ?? (e as unknown as SyntaxNode));
}

/** The plain items of a `SyntaxList<T>` property (e.g. operator parameters). */
export function items(node: SyntaxNode, listName: string): SyntaxNode[] {
  return listOf((node as unknown as Record<string, unknown>)[listName] as ReadOnlyList<SyntaxNode> | null);
}

/** Kusto.Language.Syntax.IncludeTrivia.SingleLine: the node's text with its inner spacing on one line. */
const SINGLE_LINE = 3;

/** The source text of a node (for error messages and literal text). */
export function textOf(node: SyntaxNode): string {
  return node.ToString(SINGLE_LINE).trim();
}

/** The text of a node's first token: an operator's keyword (`evaluate`, `mv-apply`), for error messages. */
export function firstToken(node: SyntaxNode): string {
  let n: SyntaxNode | null = node;
  while (n && !n.IsToken) {
    let next: SyntaxNode | null = null;
    for (let i = 0; i < n.ChildCount && !next; i++) {
      const c = n.GetChild(i);
      if (c && (c.IsToken ? c.Text !== '' : c.Width > 0)) next = c;
    }
    n = next;
  }
  return n ? n.Text : textOf(node);
}
