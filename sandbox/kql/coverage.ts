// What in a query the sandbox's engine would refuse, found without running it: every query operator, function
// and statement in the syntax tree, including branches no data reaches (a `union isfuzzy=true` over a table the
// tenant lacks is never evaluated, so running the query alone would not show them).
import { SUPPORTED_AGGREGATES } from './aggregates';
import { isScalarFunction } from './functions';
import { firstToken, items, kindName, parseQuery, prop, textOf, type SyntaxNode } from './language';
import { SUPPORTED_JOIN_KINDS, SUPPORTED_OPERATOR_KINDS } from './tabular';

const SUPPORTED_STATEMENTS = new Set(['LetStatement', 'ExpressionStatement']);

function walk(node: SyntaxNode, found: Set<string>): void {
  const kind = kindName(node);
  if (kind.endsWith('Operator') && !SUPPORTED_OPERATOR_KINDS.has(kind)) found.add(`operator '${firstToken(node)}'`);
  else if (kind.endsWith('Statement') && !SUPPORTED_STATEMENTS.has(kind)) found.add(`statement '${firstToken(node)}'`);
  else if (kind === 'FunctionDeclaration') found.add('user-defined functions');
  else if (kind === 'FunctionCallExpression') {
    const name = (prop(node, 'Name') as SyntaxNode).SimpleName as string;
    if (!isScalarFunction(name) && !SUPPORTED_AGGREGATES.has(name)) found.add(`function '${name}()'`);
  } else if (kind === 'JoinOperator') {
    for (const p of items(node, 'Parameters')) {
      if (textOf(prop(p, 'Name') as SyntaxNode).toLowerCase() !== 'kind') continue;
      const value = textOf(prop(p, 'Expression') as SyntaxNode).toLowerCase();
      if (!SUPPORTED_JOIN_KINDS.has(value)) found.add(`join kind=${value}`);
    }
  }
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    if (child && !child.IsToken) walk(child, found);
  }
}

/** The operators, functions and statements in `query` the sandbox does not evaluate (empty: it evaluates them all). */
export function unsupportedBySandbox(query: string): string[] {
  const found = new Set<string>();
  walk(parseQuery(query).Syntax, found);
  return [...found];
}
