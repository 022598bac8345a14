// Checks a query the product sends against the real table schemas with the Kusto language service's semantic
// analysis: unknown tables and columns, type mismatches, syntax errors.
import { kusto, listOf } from './language';
import { APPLICATION_INSIGHTS_SCHEMAS, LOG_ANALYTICS_SCHEMAS, RESOURCE_GRAPH_SCHEMAS, RESOURCE_GRAPH_TABLE_NAMES, parseSchema } from './schemas';
import type { KType } from './values';

const SCALAR_TYPES: Record<KType, string> = {
  bool: 'Bool', int: 'Int', long: 'Long', real: 'Real', decimal: 'Decimal', string: 'String', datetime: 'DateTime',
  timespan: 'TimeSpan', guid: 'Guid', dynamic: 'Dynamic',
};

/** applicationInsights: the component's own tables (alert rules and workbooks on it), not a workspace's App* tables. */
export type KqlTarget = 'resourceGraph' | 'logAnalytics' | 'applicationInsights';

export interface KqlDiagnostic {
  severity: string;
  code: string;
  message: string;
  start: number;
  length: number;
}

export interface ValidateOptions {
  /** More tables, as `name → '(Column: type, …)'` (custom `*_CL` tables, for instance). */
  extraTables?: Record<string, string>;
  /** Also return warnings and suggestions (default: errors only). */
  includeWarnings?: boolean;
}

const globalsCache = new Map<string, unknown>();

function tablesFor(target: KqlTarget): Record<string, string> {
  if (target === 'logAnalytics') return LOG_ANALYTICS_SCHEMAS;
  if (target === 'applicationInsights') return APPLICATION_INSIGHTS_SCHEMAS;
  // Resource Graph matches table names case-insensitively; the language service does not, so both usual spellings.
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(RESOURCE_GRAPH_SCHEMAS)) {
    out[name] = schema;
    out[RESOURCE_GRAPH_TABLE_NAMES[name] ?? name] = schema;
  }
  return out;
}

function globalsFor(target: KqlTarget, extraTables: Record<string, string> | undefined): unknown {
  const key = JSON.stringify([target, extraTables ?? {}]);
  let globals = globalsCache.get(key);
  if (!globals) {
    const K = kusto().Kusto.Language;
    const tables = { ...tablesFor(target), ...(extraTables ?? {}) };
    const symbols = Object.entries(tables).map(([name, schema]) => new K.Symbols.TableSymbol.$ctor4(
      name,
      parseSchema(schema).map((c) => new K.Symbols.ColumnSymbol(c.name, K.Symbols.ScalarTypes[SCALAR_TYPES[c.type]])),
    ));
    globals = K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.ctor(target, symbols));
    globalsCache.set(key, globals);
  }
  return globals;
}

/** Kusto diagnostics for `query` against `target`'s tables (errors only unless `includeWarnings`). */
export function validateKql(query: string, target: KqlTarget, options: ValidateOptions = {}): KqlDiagnostic[] {
  const code = kusto().Kusto.Language.KustoCode.ParseAndAnalyze(query, globalsFor(target, options.extraTables));
  return listOf(code.GetDiagnostics())
    .map((d) => ({ severity: String(d.Severity), code: d.Code, message: d.Message, start: d.Start, length: d.Length }))
    .filter((d) => options.includeWarnings || d.severity === 'Error');
}
