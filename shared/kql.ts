// KQL literals built from untrusted text (host names, resource ids, tags). Every value that reaches a query goes
// through one of these, so a name with quotes, backslashes, newlines or `'; drop` stays exactly one string literal.
// Escapes follow the Kusto lexer (Kusto.Language KustoFacts.DecodeEscapes): inside "…", a backslash introduces
// \\ \" \' \n \r \t or \uXXXX; a raw CR or LF would end the literal, so every control character is escaped.

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A double-quoted KQL string literal whose value is exactly `s`. */
export function kqlString(s: string): string {
  if (typeof s !== 'string') throw new TypeError(`kqlString expects a string, got ${typeof s}`);
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
    } else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += hex4(code);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + s[i + 1]; // a well-formed surrogate pair is an ordinary character
        i++;
      } else {
        out += hex4(code); // a lone surrogate cannot travel as UTF-8: keep it as an escape
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += hex4(code);
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** `dynamic(["a", "b"])`: a dynamic array of string literals (empty is allowed). */
export function kqlDynamicList(strings: readonly string[]): string {
  return `dynamic([${strings.map(kqlString).join(', ')}])`;
}

/** `("a", "b")`: the right-hand side of `in` / `in~`. An empty list is not valid KQL there, so it throws. */
export function kqlInList(strings: readonly string[]): string {
  if (strings.length === 0) throw new RangeError('kqlInList needs at least one value');
  return `(${strings.map(kqlString).join(', ')})`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A table or column name from configuration (e.g. TBMON_LAUNCH_LOG_TABLE); anything but a plain identifier throws. */
export function kqlIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`not a plain KQL identifier: ${JSON.stringify(name)}`);
  return name;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** A KQL timespan literal for a whole number of milliseconds, in the largest unit that divides it (`1h`, `90m`). */
export function kqlTimespan(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`a timespan must be a whole, non-negative number of milliseconds, got ${ms}`);
  if (ms === 0) return '0s';
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** `datetime(2026-11-26T06:00:00.000Z)`. */
export function kqlDatetime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('kqlDatetime needs a valid date');
  return `datetime(${d.toISOString()})`;
}

/** A number literal; NaN and infinities are not KQL numbers, so they throw. */
export function kqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return String(n);
}
