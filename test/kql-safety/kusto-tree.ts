// The real Kusto parser (Microsoft's language service) for the safety tests: which string literals a query holds,
// decoded exactly as Kusto decodes them.
/* eslint-disable @typescript-eslint/no-explicit-any */
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next');

const K = (globalThis as any).Kusto.Language;
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
