// Runs one KQL query: parse (cached), reject syntax errors, bind `let` statements, evaluate the final tabular
// expression over the target's tables.
import { KqlError, unsupported } from './errors';
import { elements, firstToken, kindName, listOf, parseQuery, prop, textOf, type SyntaxNode } from './language';
import { compileScalar, isTabularNode, rowScope, type LetValue, type QueryScope } from './scalar';
import { evalTable } from './tabular';
import type { Table } from './values';

export interface QueryTarget {
  /** The clock `now()` and `ago()` read (epoch ms). */
  now: number;
  /** A table by the name the query uses; undefined when the target has no such table. */
  resolveTable(name: string): Table | undefined;
}

export function runQuery(query: string, target: QueryTarget): Table {
  if (typeof query !== 'string' || query.trim() === '') throw new KqlError('The query is empty', 'BadArgumentError');
  const code = parseQuery(query);
  const diagnostics = listOf(code.GetSyntaxDiagnostics());
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    // Log Analytics answers a syntax error as 400 BadArgumentError (with an inner SyntaxError).
    throw new KqlError(`Syntax error at position ${d.Start}: ${d.Message}`, 'BadArgumentError');
  }
  const lets = new Map<string, LetValue>();
  const scope: QueryScope = { now: target.now, lets, letTables: new Map(), resolveTable: (n) => target.resolveTable(n), evalTable };
  let result: SyntaxNode | null = null;
  for (const statement of elements(code.Syntax, 'Statements')) {
    const kind = kindName(statement);
    if (kind === 'LetStatement') {
      bindLet(statement, scope);
    } else if (kind === 'ExpressionStatement') {
      if (result) throw unsupported('more than one result expression in a query');
      result = prop(statement, 'Expression');
    } else {
      throw unsupported(`the statement '${firstToken(statement)}'`);
    }
  }
  if (!result) throw new KqlError('The query has no tabular expression to evaluate', 'BadArgumentError');
  if (!isTabularNode(result, null, scope)) throw new KqlError(`The query must end in a tabular expression, got '${textOf(result)}'`);
  return evalTable(result, scope);
}

function bindLet(statement: SyntaxNode, scope: QueryScope): void {
  const name = (prop(statement, 'Name') as SyntaxNode).SimpleName as string;
  const expr = prop(statement, 'Expression') as SyntaxNode;
  const kind = kindName(expr);
  if (kind === 'FunctionDeclaration') throw unsupported(`user-defined functions (let ${name} = (…) { … })`);
  if (isTabularNode(expr, null, scope)) {
    // Tabular lets are evaluated when first used, in the scope they were declared in.
    scope.lets.set(name, { kind: 'table', node: expr, scope: { ...scope, lets: new Map(scope.lets) } });
    return;
  }
  const c = compileScalar(expr, rowScope([], scope));
  if (!c.constant) throw new KqlError(`let ${name}: the value must be a constant scalar or a tabular expression`);
  scope.lets.set(name, { kind: 'scalar', type: c.type, value: c.fn([]) });
}
