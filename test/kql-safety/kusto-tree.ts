// The real Kusto parser (Microsoft's language service) for the safety tests: which string literals a query holds,
// decoded exactly as Kusto decodes them.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { kusto } from '../../sandbox/kql/language';

// Loaded as the sandbox loads it (one copy of the package's globals per process).
const K = (kusto() as any).Kusto.Language;
const SystemNs = (globalThis as any).System;

export interface ParsedLiterals {
  syntaxErrors: string[];
  /** Decoded values of every string literal token, in order. */
  strings: string[];
}

export function parseLiterals(query: string): ParsedLiterals {
  const code = K.KustoCode.Parse(query, null);
  const diags = code.GetSyntaxDiagnostics();
  const syntaxErrors: string[] = [];
  for (let i = 0; i < diags.Count; i++) syntaxErrors.push(`${diags.getItem(i).Code} ${diags.getItem(i).Message}`);
  const strings: string[] = [];
  const walk = (n: any): void => {
    if (!n) return;
    const kind = SystemNs.Enum.toString(K.Syntax.SyntaxKind, n.Kind) as string;
    if (kind === 'StringLiteralToken') {
      strings.push(K.KustoFacts.GetStringLiteralValue(n.Text));
      return;
    }
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(code.Syntax);
  return { syntaxErrors, strings };
}

/**
 * The query's token sequence with every string literal replaced by a placeholder and every comma-separated run of
 * literals (a list whose length depends on the hosts) collapsed into one: the query's structure.
 */
export function tokenShape(query: string): string[] {
  const code = K.KustoCode.Parse(query, null);
  const out: string[] = [];
  const walk = (n: any): void => {
    if (!n) return;
    const kind = SystemNs.Enum.toString(K.Syntax.SyntaxKind, n.Kind) as string;
    if (n.ChildCount === 0) {
      out.push(kind === 'StringLiteralToken' ? '<string>' : `${kind}:${n.Text ?? ''}`);
      return;
    }
    for (let i = 0; i < n.ChildCount; i++) walk(n.GetChild(i));
  };
  walk(code.Syntax);
  const collapsed: string[] = [];
  for (const t of out) {
    const n = collapsed.length;
    if (t === '<string>' && collapsed[n - 1] === 'CommaToken:,' && collapsed[n - 2] === '<strings>') collapsed.splice(n - 1, 1);
    else if (t === '<string>') collapsed.push('<strings>');
    else collapsed.push(t);
  }
  return collapsed;
}
