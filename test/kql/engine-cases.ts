// Engine cases: a query over tiny tables → the rows Kusto's documentation says it returns. Fed to one runner
// (engine.test.ts). Rows are compared in order unless `unordered`; datetimes as ISO strings, timespans as
// `[d.]hh:mm:ss`, dynamic values as JSON. The clock is 2026-11-26T06:00:00Z.
import type { Column, KType } from '../../sandbox/kql/values';

export const NOW = '2026-11-26T06:00:00Z';

export interface CaseTable { columns: Column[]; rows: unknown[][] }

function table(schema: string, rows: unknown[][]): CaseTable {
  const columns = schema.split(',').map((p) => {
    const [name, type] = p.split(':').map((s) => s.trim());
    return { name, type: type as KType };
  });
  return { columns, rows };
}

/** Cells are given in JSON form (datetimes as ISO strings); the runner types them. */
export const TABLES: Record<string, CaseTable> = {
  Logs: table('TimeGenerated: datetime, Computer: string, Level: string, Message: string, Count: long, Props: dynamic', [
    ['2026-11-26T05:50:00Z', 'ci-1', 'err', 'TensorBoard could not bind to port 6006', 3, { pid: 10, tags: ['tb', 'ml'] }],
    ['2026-11-26T05:10:00Z', 'ci-1', 'info', 'tensorboard started on port 6006', 1, { pid: 11 }],
    ['2026-11-26T04:00:00Z', 'ci-2', 'warn', 'Out of memory: Killed process 123 (tensorboard)', 5, null],
    ['2026-11-25T06:00:00Z', 'CI-2', 'err', 'kernel: oom-killer invoked', 2, { pid: 12, tags: [] }],
    [null, 'ci-3', '', 'no timestamp', null, {}],
  ]),
  People: table('Name: string, Age: long, City: string, Tags: dynamic', [
    ['Ann', 30, 'Paris', { langs: ['en', 'fr'] }],
    ['bob', 25, 'paris', { langs: ['en'] }],
    ['Cid', null, 'Oslo', null],
    ['Dee', 41, 'Oslo', { langs: [] }],
  ]),
  L: table('k: string, v: long', [['a', 1], ['a', 2], ['b', 3], ['c', 4]]),
  R: table('k: string, w: string', [['a', 'x'], ['a', 'y'], ['b', 'z'], ['d', 'q']]),
  Nets: table('name: string, properties: dynamic', [
    ['vnet1', { subnets: [{ name: 'a', properties: { networkSecurityGroup: { id: 'nsg1' } } }, { name: 'b', properties: {} }] }],
    ['vnet2', { subnets: [] }],
  ]),
};

export interface EngineCase {
  name: string;
  query: string;
  /** Expected rows (omit when only `columns` or `error` is checked). */
  rows?: unknown[][];
  /** Expected `name:type` of the result's columns. */
  columns?: string[];
  /** The query must fail with a KqlError whose message matches. */
  error?: RegExp;
  unordered?: boolean;
}

const msg1 = 'TensorBoard could not bind to port 6006';

export const CASES: EngineCase[] = [
  // ---- string operators: case rules (== and in are case-sensitive; =~, in~, has, contains are not) ----
  { name: '== is case-sensitive', query: "Logs | where Computer == 'ci-2' | project Message", rows: [['Out of memory: Killed process 123 (tensorboard)']] },
  { name: '=~ is case-insensitive', query: "Logs | where Computer =~ 'ci-2' | count", rows: [[2]] },
  { name: '!= is case-sensitive', query: "Logs | where Computer != 'ci-1' | count", rows: [[3]] },
  { name: '!~ is case-insensitive', query: "Logs | where Computer !~ 'CI-2' | count", rows: [[3]] },
  { name: 'has matches a whole term', query: "Logs | where Message has 'tensorboard' | count", rows: [[3]] },
  { name: 'has ignores case', query: "Logs | where Message has 'TENSORBOARD' | count", rows: [[3]] },
  { name: 'has does not match part of a term', query: "Logs | where Message has 'tensor' | count", rows: [[0]] },
  { name: 'contains matches a substring', query: "Logs | where Message contains 'tensor' | count", rows: [[3]] },
  { name: 'contains_cs is case-sensitive', query: "Logs | where Message contains_cs 'Tensor' | count", rows: [[1]] },
  { name: 'has_cs is case-sensitive', query: "Logs | where Message has_cs 'TensorBoard' | project Computer", rows: [['ci-1']] },
  { name: '!has', query: "Logs | where Message !has 'tensorboard' | count", rows: [[2]] },
  { name: '!contains', query: "Logs | where Message !contains 'port' | count", rows: [[3]] },
  { name: 'startswith ignores case', query: "Logs | where Message startswith 'tensor' | count", rows: [[2]] },
  { name: 'endswith', query: "Logs | where Message endswith '6006' | count", rows: [[2]] },
  { name: 'has: a hyphen separates terms', query: "Logs | where Message has 'oom' | project Computer", rows: [['CI-2']] },
  { name: 'has with a phrase', query: "Logs | where Message has 'port 6006' | count", rows: [[2]] },
  { name: 'has with a non-term needle', query: "Logs | where Message has 'oom-killer' | count", rows: [[1]] },
  { name: 'has in parentheses', query: "Logs | where Message has 'process' and Message has '123' | count", rows: [[1]] },
  { name: 'matches regex', query: "Logs | where Message matches regex @'process \\d+' | project Computer", rows: [['ci-2']] },
  { name: 'in is case-sensitive', query: "Logs | where Computer in ('ci-1', 'ci-3', 'CI-9') | count", rows: [[3]] },
  { name: 'in~ ignores case', query: "Logs | where Computer in~ ('CI-1') | count", rows: [[2]] },
  { name: '!in', query: "Logs | where Computer !in ('ci-1') | count", rows: [[3]] },
  { name: '!in~', query: "Logs | where Computer !in~ ('CI-1', 'ci-2') | count", rows: [[1]] },
  { name: 'in with numbers', query: 'L | where v in (1, 3) | project k', rows: [['a'], ['b']] },
  { name: 'and binds predicates', query: "Logs | where Level in ('err') and Count > 2 | project Computer", rows: [['ci-1']] },
  { name: 'or', query: "Logs | where Count > 2 or Level == 'info' | count", rows: [[3]] },
  { name: 'not()', query: "Logs | where not(Level == 'err') | count", rows: [[3]] },
  { name: 'between is inclusive', query: 'Logs | where Count between (2 .. 3) | project Count', rows: [[3], [2]] },
  { name: '!between drops nulls', query: 'Logs | where Count !between (2 .. 3) | project Count', rows: [[1], [5]] },
  { name: 'string comparison is ordinal', query: "People | where Name > 'Cid' | project Name", rows: [['bob'], ['Dee']], unordered: true },

  // ---- nulls ----
  { name: 'isnull', query: 'Logs | where isnull(Count) | project Computer', rows: [['ci-3']] },
  { name: 'isnotnull on datetime', query: 'Logs | where isnotnull(TimeGenerated) | count', rows: [[4]] },
  { name: 'isempty on string', query: 'Logs | where isempty(Level) | project Computer', rows: [['ci-3']] },
  { name: 'isnotempty', query: 'Logs | where isnotempty(Level) | count', rows: [[4]] },
  { name: 'where drops a null predicate', query: 'Logs | where Count > 0 | count', rows: [[4]] },
  { name: 'null equality', query: 'print a = int(null) == 1, b = int(null) != 1, c = int(null) == int(null), d = int(null) != int(null)', rows: [[false, true, null, null]] },
  { name: 'null comparison and arithmetic', query: 'print a = int(null) > 1, b = isnull(int(null) + 1)', rows: [[null, true]] },
  { name: 'three-valued logic', query: 'print x = true or bool(null), y = false and bool(null), z = true and bool(null), w = false or bool(null)', rows: [[true, false, null, null]] },
  { name: 'aggregates ignore nulls', query: 'Logs | summarize s = sum(Count), a = avg(Count), c = count(), n = countif(isnull(Count)), d = dcount(Count)', rows: [[11, 2.75, 5, 1, 4]] },
  { name: 'missing dynamic property is null', query: 'Logs | extend p = Props.pid | where isnull(p) | count', rows: [[2]] },
  { name: 'isempty / isnull on strings', query: "print a = isempty(''), b = isempty(' '), c = isnotempty('a'), d = isnull('')", rows: [[true, false, true, false]] },
  { name: 'coalesce', query: "print a = coalesce(int(null), 5), b = coalesce('', 'x'), c = coalesce(long(null), long(null))", rows: [[5, 'x', null]] },
  { name: 'isempty of a null dynamic', query: 'People | where isempty(Tags) | project Name', rows: [['Cid']] },

  // ---- dynamic ----
  { name: '.key access compares to a number', query: 'Logs | where Props.pid == 11 | project Computer', rows: [['ci-1']] },
  { name: 'array index', query: 'Logs | extend t = Props.tags[0] | where isnotnull(t) | project t', rows: [['tb']] },
  { name: "['key'] access", query: "Logs | extend t = Props['tags'][1] | where isnotnull(t) | project t", rows: [['ml']] },
  { name: 'array_length', query: 'Logs | project n = array_length(Props.tags)', rows: [[2], [null], [null], [0], [null]] },
  { name: 'tostring of a dynamic string', query: 'People | project Name, lang0 = tostring(Tags.langs[0])', rows: [['Ann', 'en'], ['bob', 'en'], ['Cid', ''], ['Dee', '']] },
  { name: 'negative index counts from the end', query: 'print d = dynamic({"a": {"b": [1, 2, 3]}}) | project x = d.a.b[-1]', rows: [[3]] },
  { name: 'bag_keys', query: 'print k = bag_keys(dynamic({"x": 1, "y": 2}))', rows: [[['x', 'y']]] },
  { name: 'parse_json then access', query: "print j = parse_json('{\"a\": 5}') | project v = toint(j.a) + 1", rows: [[6]] },
  { name: 'todynamic of an array', query: "print j = todynamic('[1,2]') | project n = array_length(j)", rows: [[2]] },
  { name: 'tostring of a dynamic array', query: 'print d = dynamic([1, "a", null]) | project t = tostring(d)', rows: [['[1,"a",null]']] },
  { name: 'has on a dynamic array', query: "People | where Tags.langs has 'fr' | project Name", rows: [['Ann']] },
  { name: 'dot access on a literal', query: 'print s = tostring(dynamic({"k": "v"}).k), b = dynamic({"n": 5}).n > 3', rows: [['v', true]] },
  { name: 'nested path', query: 'Nets | project n = tostring(properties.subnets[0].properties.networkSecurityGroup.id)', rows: [['nsg1'], ['']] },
  { name: 'dynamic column type', query: 'People | project l = Tags.langs | take 1', columns: ['l:dynamic'], rows: [[['en', 'fr']]] },
  { name: 'in with a dynamic array', query: "let names = dynamic(['a', 'c']); L | where k in (names) | count", rows: [[3]] },

  // ---- conversions and string functions ----
  { name: 'conversions', query: "print a = toint('12'), b = tolong('x'), c = todouble('1.5'), d = tobool('true'), e = tostring(12)", rows: [[12, null, 1.5, true, '12']] },
  { name: 'toint truncates', query: 'print a = toint(2.7), b = tolong(-2.7)', rows: [[2, -2]] },
  { name: 'conversion types', query: "print a = toint('1'), b = tolong('1'), c = todouble('1'), d = tobool('false')", columns: ['a:int', 'b:long', 'c:real', 'd:bool'] },
  { name: 'tolower / toupper', query: "print a = tolower('AbC'), b = toupper('aBc')", rows: [['abc', 'ABC']] },
  { name: 'split', query: "print s = split('a/b/c', '/')", rows: [[['a', 'b', 'c']]] },
  { name: 'split then index', query: "print s = tostring(split('a/b/c', '/')[1])", rows: [['b']] },
  { name: 'split of an ARM id', query: "print w = tostring(split('/subscriptions/s/resourceGroups/rg/providers/X/workspaces/ws/computes/ci', '/computes/')[0])", rows: [['/subscriptions/s/resourceGroups/rg/providers/X/workspaces/ws']] },
  { name: 'strcat converts its arguments', query: "print s = strcat('a', 1, 'b', true)", rows: [['a1btrue']] },
  { name: 'extract a group', query: "print e = extract(@'port (\\d+)', 1, 'bind to port 6006 now')", rows: [['6006']] },
  { name: 'extract without a match is empty', query: "print e = extract(@'x(\\d+)', 1, 'none')", rows: [['']] },
  { name: 'extract group 0', query: "print e = extract(@'\\d+', 0, 'ab12c')", rows: [['12']] },
  { name: 'strlen counts characters', query: "print l = strlen('héllo')", rows: [[5]] },
  { name: 'substring', query: "print s = substring('abcdef', 2, 3), t = substring('abc', 1)", rows: [['cde', 'bc']] },
  { name: 'replace_string', query: "print r = replace_string('a.b.c', '.', '-')", rows: [['a-b-c']] },
  { name: 'indexof', query: "print i = indexof('abcabc', 'c'), j = indexof('abc', 'z')", rows: [[2, -1]] },
  { name: 'iff / iif', query: "print x = iff(1 > 2, 'yes', 'no'), y = iif(true, 1, 2)", rows: [['no', 1]] },
  { name: 'iff with a null predicate takes the else branch', query: "print x = iff(bool(null), 'yes', 'no')", rows: [['no']] },
  { name: 'case', query: "print c = case(2 > 3, 'a', 2 > 1, 'b', 'c')", rows: [['b']] },
  { name: 'tostring of numbers and bools', query: 'print a = tostring(1.5), b = tostring(false), c = tostring(long(null))', rows: [['1.5', 'false', '']] },

  // ---- arithmetic and time ----
  { name: 'integer division truncates', query: 'print a = 7 / 2, b = 7.0 / 2, c = 7 % 3, d = -3 + 1', rows: [[3, 3.5, 1, -2]] },
  { name: 'now() is the tenant clock', query: 'print t = now()', rows: [['2026-11-26T06:00:00Z']] },
  { name: 'ago()', query: 'print t = ago(1h), u = ago(1d)', rows: [['2026-11-26T05:00:00Z', '2026-11-25T06:00:00Z']] },
  { name: 'bin of a datetime', query: 'print t = bin(datetime(2026-11-26 05:47:12), 15m)', rows: [['2026-11-26T05:45:00Z']] },
  { name: 'bin of numbers', query: 'print b = bin(17, 5), c = bin(4.7, 1)', rows: [[15, 4]] },
  { name: 'datetime difference is a timespan', query: 'print d = datetime(2026-11-26T06:00:00Z) - datetime(2026-11-26T05:30:00Z)', columns: ['d:timespan'], rows: [['00:30:00']] },
  { name: 'datetime plus timespan', query: 'print d = datetime(2026-11-26) + 1d', rows: [['2026-11-27T00:00:00Z']] },
  { name: 'timespan arithmetic', query: 'print t = 1h + 30m, u = 2d / 1h, v = 2 * 90s', rows: [['01:30:00', 48, '00:03:00']] },
  { name: 'timespan literals', query: 'print a = 1d, b = 36h, c = 90s, d = 500ms', rows: [['1.00:00:00', '1.12:00:00', '00:01:30', '00:00:00.5000000']] },
  { name: 'where over ago()', query: 'Logs | where TimeGenerated > ago(1h) | project Computer', rows: [['ci-1'], ['ci-1']] },
  { name: 'between over a time window is inclusive', query: 'Logs | where TimeGenerated between (ago(2h) .. now()) | count', rows: [[3]] },
  { name: 'datetime literal comparison', query: 'Logs | where TimeGenerated >= datetime(2026-11-26) | count', rows: [[3]] },
  { name: 'now() minus a column', query: 'Logs | where now() - TimeGenerated < 30m | project Computer', rows: [['ci-1']] },
  { name: 'summarize by bin of time; null group first ascending', query: 'Logs | summarize n = count() by bin(TimeGenerated, 1d) | order by TimeGenerated asc', rows: [[null, 1], ['2026-11-25T00:00:00Z', 1], ['2026-11-26T00:00:00Z', 3]] },
  { name: 'todatetime', query: "print t = todatetime('2026-11-26 05:00'), u = todatetime('nope')", rows: [['2026-11-26T05:00:00Z', null]] },
  { name: 'totimespan', query: "print t = totimespan('01:02:03')", rows: [['01:02:03']] },
  { name: 'null datetime comparison', query: 'print x = datetime(null) > now()', rows: [[null]] },
  { name: 'datetime column type', query: 'Logs | project TimeGenerated | take 1', columns: ['TimeGenerated:datetime'], rows: [['2026-11-26T05:50:00Z']] },

  // ---- project, extend, take, sort, top, distinct ----
  { name: 'project with new names', query: 'People | project N = Name, A2 = Age * 2 | take 2', rows: [['Ann', 60], ['bob', 50]] },
  { name: 'project-away and project-rename', query: 'People | project-away Tags | project-rename Town = City | take 1', columns: ['Name:string', 'Age:long', 'Town:string'], rows: [['Ann', 30, 'Paris']] },
  { name: 'project-away with a wildcard', query: 'People | project-away T* | take 1', columns: ['Name:string', 'Age:long', 'City:string'] },
  { name: 'extend replaces a column in place', query: 'People | extend Age = Age + 1 | take 1', columns: ['Name:string', 'Age:long', 'City:string', 'Tags:dynamic'], rows: [['Ann', 31, 'Paris', { langs: ['en', 'fr'] }]] },
  { name: 'extend sees its own earlier columns', query: 'People | extend x = 1, y = x + 1 | project y | take 1', rows: [[2]] },
  { name: 'unnamed project column', query: 'People | project Name, strlen(Name) | take 1', columns: ['Name:string', 'Column1:long'] },
  { name: 'print names unnamed columns', query: "print 1, 'a'", columns: ['print_0:long', 'print_1:string'] },
  { name: 'project of a path is named a_b', query: 'Nets | project properties.subnets | take 1', columns: ['properties_subnets:dynamic'] },
  { name: 'take', query: 'People | take 2 | count', rows: [[2]] },
  { name: 'limit', query: 'People | limit 3 | count', rows: [[3]] },
  { name: 'take more than there is', query: 'People | take 100 | count', rows: [[4]] },
  { name: 'order by desc puts nulls last', query: 'People | order by Age desc | project Name', rows: [['Dee'], ['Ann'], ['bob'], ['Cid']] },
  { name: 'order by asc puts nulls first', query: 'People | order by Age asc | project Name', rows: [['Cid'], ['bob'], ['Ann'], ['Dee']] },
  { name: 'sort by … nulls last', query: 'People | sort by Age asc nulls last | project Name', rows: [['bob'], ['Ann'], ['Dee'], ['Cid']] },
  { name: 'sort by is descending by default', query: 'L | sort by v | project v', rows: [[4], [3], [2], [1]] },
  { name: 'order by two keys, ordinal string order', query: 'People | order by City asc, Name desc | project Name', rows: [['Dee'], ['Cid'], ['Ann'], ['bob']] },
  { name: 'top', query: 'People | top 2 by Age | project Name', rows: [['Dee'], ['Ann']] },
  { name: 'top ascending', query: 'People | top 1 by Age asc nulls last | project Name', rows: [['bob']] },
  { name: 'top ascending puts nulls first by default', query: 'People | top 1 by Age asc | project Name', rows: [['Cid']] },
  { name: 'distinct', query: 'L | distinct k', rows: [['a'], ['b'], ['c']] },
  { name: 'distinct is case-sensitive', query: 'People | distinct City | count', rows: [[3]] },
  { name: 'distinct *', query: 'union L, L | distinct * | count', rows: [[4]] },
  { name: 'count operator', query: 'L | count', columns: ['Count:long'], rows: [[4]] },

  // ---- summarize ----
  { name: 'summarize by an expression with a name', query: 'People | summarize n = count() by c = tolower(City) | order by c asc', rows: [['oslo', 2], ['paris', 2]] },
  { name: 'summarize column names', query: 'People | summarize avg(Age), min(Age), max(Age), sum(Age)', columns: ['avg_Age:real', 'min_Age:long', 'max_Age:long', 'sum_Age:long'], rows: [[32, 25, 41, 96]] },
  { name: 'count() is a long named count_', query: 'People | summarize count()', columns: ['count_:long'], rows: [[4]] },
  { name: 'dcount', query: 'People | summarize dcount(City)', columns: ['dcount_City:long'], rows: [[3]] },
  { name: 'make_set keeps first-seen order', query: 'People | summarize make_set(City)', columns: ['set_City:dynamic'], rows: [[['Paris', 'paris', 'Oslo']]] },
  { name: 'make_set of arrays unions their elements', query: 'People | summarize langs = make_set(Tags.langs)', rows: [[['en', 'fr']]] },
  { name: 'make_list by', query: 'People | summarize make_list(Name) by City | order by City asc', rows: [['Oslo', ['Cid', 'Dee']], ['Paris', ['Ann']], ['paris', ['bob']]] },
  { name: 'arg_max with *', query: 'People | summarize arg_max(Age, *) by City | order by City asc', columns: ['City:string', 'Age:long', 'Name:string', 'Tags:dynamic'], rows: [['Oslo', 41, 'Dee', { langs: [] }], ['Paris', 30, 'Ann', { langs: ['en', 'fr'] }], ['paris', 25, 'bob', { langs: ['en'] }]] },
  { name: 'arg_min with a column, ignoring nulls', query: 'People | summarize arg_min(Age, Name) by City | order by City asc', rows: [['Oslo', 41, 'Dee'], ['Paris', 30, 'Ann'], ['paris', 25, 'bob']] },
  { name: 'arg_max over time', query: 'Logs | where isnotnull(TimeGenerated) | summarize arg_max(TimeGenerated, Message) by Computer | order by Computer asc', rows: [['CI-2', '2026-11-25T06:00:00Z', 'kernel: oom-killer invoked'], ['ci-1', '2026-11-26T05:50:00Z', msg1], ['ci-2', '2026-11-26T04:00:00Z', 'Out of memory: Killed process 123 (tensorboard)']] },
  { name: 'any', query: 'People | summarize any(Name) by City | count', rows: [[3]] },
  { name: 'countif', query: 'People | summarize c = countif(Age > 26), n = count()', rows: [[2, 4]] },
  { name: 'expression over aggregates', query: 'People | summarize pct = 100.0 * countif(Age > 26) / count()', rows: [[50]] },
  { name: 'age of the last record', query: "Logs | where Computer == 'ci-1' | summarize age = now() - max(TimeGenerated)", rows: [['00:10:00']] },
  { name: 'summarize without by over no rows gives one row', query: 'People | where Age > 100 | summarize count()', rows: [[0]] },
  { name: 'summarize by over no rows gives none', query: 'People | where Age > 100 | summarize count() by City', rows: [] },
  { name: 'summarize with only by', query: "Logs | where Level == 'err' | summarize by Computer", rows: [['ci-1'], ['CI-2']] },
  { name: 'min and max of strings are ordinal', query: 'People | summarize min(Name), max(Name)', rows: [['Ann', 'bob']] },
  { name: 'summarize by a dynamic value', query: 'Logs | summarize n = count() by p = tostring(Props.pid) | order by p asc', rows: [['', 2], ['10', 1], ['11', 1], ['12', 1]] },
  { name: 'summarize by two keys', query: 'L | summarize s = sum(v) by k, odd = v % 2 | order by k asc, odd asc', rows: [['a', 0, 2], ['a', 1, 1], ['b', 1, 3], ['c', 0, 4]] },

  // ---- mv-expand ----
  { name: 'mv-expand: null gives one row, an empty array none', query: 'People | mv-expand lang = Tags.langs | project Name, lang', rows: [['Ann', 'en'], ['Ann', 'fr'], ['bob', 'en'], ['Cid', null]] },
  { name: 'mv-expand an array of objects', query: 'Nets | mv-expand subnet = properties.subnets | project name, s = tostring(subnet.name), nsg = tostring(subnet.properties.networkSecurityGroup.id)', rows: [['vnet1', 'a', 'nsg1'], ['vnet1', 'b', '']] },
  { name: 'mv-expand … to typeof(string)', query: "People | mv-expand lang = Tags.langs to typeof(string) | where lang == 'en' | project Name", columns: ['Name:string'], rows: [['Ann'], ['bob']] },
  { name: 'mv-expand a property bag', query: 'print d = dynamic({"a": 1, "b": 2}) | mv-expand d', rows: [[{ a: 1 }], [{ b: 2 }]] },
  { name: 'mv-expand kind=array', query: 'print d = dynamic({"a": 1, "b": 2}) | mv-expand kind=array d', rows: [[['a', 1]], [['b', 2]]] },
  { name: 'mv-expand two columns in parallel', query: "print a = dynamic([1, 2, 3]), b = dynamic(['x']) | mv-expand a, b", rows: [[1, 'x'], [2, null], [3, null]] },
  { name: 'mv-expand limit', query: 'print a = dynamic([1, 2, 3]) | mv-expand a limit 2', rows: [[1], [2]] },
  { name: 'mv-expand with_itemindex', query: "print a = dynamic(['x', 'y']) | mv-expand with_itemindex=i a | project i, a", rows: [[0, 'x'], [1, 'y']] },
  { name: 'mv-expand then summarize', query: 'People | mv-expand lang = Tags.langs to typeof(string) | summarize n = count() by lang | where isnotempty(lang) | order by lang asc', rows: [['en', 2], ['fr', 1]] },

  // ---- join ----
  { name: 'join defaults to innerunique (left keys deduplicated)', query: 'L | join R on k | project k, v, w', rows: [['a', 1, 'x'], ['a', 1, 'y'], ['b', 3, 'z']] },
  { name: 'join kind=inner keeps every match', query: 'L | join kind=inner R on k | project v, w', rows: [[1, 'x'], [1, 'y'], [2, 'x'], [2, 'y'], [3, 'z']] },
  { name: 'join kind=leftouter', query: 'L | join kind=leftouter R on k | project k, v, k1, w', rows: [['a', 1, 'a', 'x'], ['a', 1, 'a', 'y'], ['a', 2, 'a', 'x'], ['a', 2, 'a', 'y'], ['b', 3, 'b', 'z'], ['c', 4, '', '']] },
  { name: 'join output columns: right duplicates get a suffix', query: 'L | join kind=inner R on k | take 0', columns: ['k:string', 'v:long', 'k1:string', 'w:string'], rows: [] },
  { name: 'join on $left.a == $right.b', query: 'L | join kind=inner (R | project k2 = k, w) on $left.k == $right.k2 | count', rows: [[5]] },
  { name: 'join keys are case-sensitive', query: 'L | join kind=inner (R | extend k = toupper(k)) on k | count', rows: [[0]] },
  { name: 'join with a let table', query: "let A = L | where k == 'a'; A | join kind=inner R on k | count", rows: [[4]] },

  // ---- union ----
  { name: 'union', query: 'union L, R | count', rows: [[8]] },
  { name: 'union columns', query: 'union L, R | take 0', columns: ['k:string', 'v:long', 'w:string'], rows: [] },
  { name: 'union fills missing columns', query: 'union L, R | where k == "d" | project v, w', rows: [[null, 'q']] },
  { name: 'union isfuzzy=true skips a missing table', query: 'union isfuzzy=true L, Missing | count', rows: [[4]] },
  { name: 'union of a missing table fails without isfuzzy', query: 'union L, Missing | count', error: /Missing/ },
  { name: 'union isfuzzy with no table at all fails', query: 'union isfuzzy=true Missing1, Missing2', error: /none of the tables/ },
  { name: 'union as an operator', query: 'L | union R | where isnotempty(w) | count', rows: [[4]] },
  { name: 'union of subqueries', query: "union (L | where k == 'a'), (R | where k == 'd') | count", rows: [[3]] },

  // ---- let ----
  { name: 'let of a scalar', query: 'let threshold = 2; L | where v > threshold | count', rows: [[2]] },
  { name: 'let of tabular expressions', query: 'let A = L | where v > 1; let B = A | where v < 4; B | count', rows: [[2]] },
  { name: 'let of a time', query: 'let t = ago(30m); Logs | where TimeGenerated > t | count', rows: [[1]] },
  { name: 'let of a string', query: "let c = 'ci-1'; Logs | where Computer == c | count", rows: [[2]] },
  { name: 'in with a subquery', query: 'L | where k in (R | project k) | count', rows: [[3]] },
  { name: 'a let may shadow the table it reads', query: "let L = L | where k == 'a'; L | count", rows: [[2]] },
  { name: 'in with a tabular let', query: "let keys = R | where w in ('x', 'z') | project k; L | where k in (keys) | project v", rows: [[1], [2], [3]] },
  { name: 'has_any', query: "Logs | where Message has_any ('oom', 'started') | project Computer", rows: [['ci-1'], ['CI-2']] },
  { name: 'has_all', query: "Logs | where Message has_all ('port', 'tensorboard') | project Computer", rows: [['ci-1'], ['ci-1']] },
  { name: 'hasprefix', query: "Logs | where Message hasprefix 'tensor' | count", rows: [[3]] },
  { name: 'project-rename onto an existing name fails', query: 'L | project-rename v = k', error: /already exists/ },
  { name: 'toscalar', query: 'let n = toscalar(L | count); L | where v >= n | project k', rows: [['c']] },
  { name: 'toscalar of no rows is null', query: 'print x = toscalar(L | where v > 100 | project v)', rows: [[null]] },
  { name: 'materialize', query: 'let m = materialize(L | where v > 2); m | count', rows: [[2]] },
  { name: 'datatable', query: "datatable(a: long, b: string) [1, 'x', 2, 'y'] | where a > 1 | project b", rows: [['y']] },

  // ---- errors: unsupported operators and functions answer 400 naming them ----
  { name: 'unsupported operator: evaluate', query: 'L | evaluate bag_unpack(k)', error: /evaluate/ },
  { name: 'unsupported operator: parse', query: "L | parse k with * 'a' rest", error: /parse/ },
  { name: 'unsupported operator: make-series', query: 'L | make-series count() on v step 1', error: /make-series/ },
  { name: 'unsupported operator: sample', query: 'L | sample 1', error: /sample/ },
  { name: 'unsupported function', query: 'L | extend h = hash(k)', error: /'hash\(\)'/ },
  { name: 'unsupported aggregate', query: 'L | summarize percentile(v, 50)', error: /percentile/ },
  { name: 'unsupported join kind', query: 'L | join kind=fullouter R on k', error: /fullouter/ },
  { name: 'unsupported user-defined function', query: 'let f = (x: long) { x + 1 }; print f(1)', error: /user-defined functions/ },
  { name: 'unknown column', query: 'L | where Bogus == 1', error: /'Bogus'/ },
  { name: 'unknown table', query: 'Nope | take 1', error: /'Nope'/ },
  { name: 'syntax error', query: 'L |', error: /Syntax error/ },
  { name: 'aggregate outside summarize', query: 'L | extend c = count()', error: /summarize/ },
  { name: 'type mismatch in a comparison', query: "L | where v > 'x'", error: /compare/ },
  { name: 'type mismatch in an equality', query: "L | where v == '1'", error: /compare/ },
  { name: 'a datetime is not compared to a string', query: "Logs | where TimeGenerated > '2026-11-26'", error: /compare/ },
  { name: 'numbers of different types compare', query: 'L | where v == 1.0 | project k', rows: [['a']] },
];
