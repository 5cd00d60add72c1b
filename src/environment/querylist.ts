/**
 * The Event Log query language: <QueryList><Query><Select Path>XPath</Select><Suppress Path>XPath</Suppress>.
 * Used by WEF subscriptions, Event Viewer custom views, NXLog QueryXML and Winlogbeat xml_query. The XPath is
 * the Event Log API's subset (`*`, `*[System[...]]`, EventID comparisons joined by and/or, Provider, Level,
 * EventData …); EventID terms are evaluated exactly, every other test makes the result "possible" with the
 * reason, never a guess.
 */
import {
  ALL,
  NONE,
  addForward,
  complement,
  intersect,
  isAll,
  minus,
  normalize,
  union,
  type ForwardCondition,
  type ForwardedSet,
  type Ranges,
} from './forwarded.js';
import { attr, decodeEntities, kids, parseXml, xmlText, type XmlNode } from './xml.js';

export class QueryError extends Error {}

interface Sel {
  sure: Ranges;
  possible: Ranges;
  reasons: string[];
  /** Events that pass when their provider and level are the ones named (System[Provider… and Level… and EventID…]). */
  cond?: ForwardCondition[];
}

const TOKEN = /\s*(>=|<=|!=|=|<|>|\[|\]|\(|\)|@|,|\*|'[^']*'|"[^"]*"|[A-Za-z_][\w.:-]*|\d+)/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < s.length) {
    TOKEN.lastIndex = pos;
    m = TOKEN.exec(s);
    if (!m) {
      if (s.slice(pos).trim() === '') break;
      throw new QueryError(`cannot read XPath near "${s.slice(pos, pos + 20)}"`);
    }
    out.push(m[1] as string);
    pos = TOKEN.lastIndex;
  }
  return out;
}

/** Evaluates one Select/Suppress XPath to the event IDs it surely / possibly matches. */
export function evaluateXPath(xpath: string): Sel {
  const toks = tokenize(xpath);
  let i = 0;
  const reasons = new Set<string>();
  const peek = () => toks[i];
  const take = (t?: string) => {
    const v = toks[i++];
    if (t !== undefined && v !== t) throw new QueryError(`XPath "${xpath}": expected "${t}", found "${v ?? 'end'}"`);
    return v as string;
  };
  const unknown = (why: string): Sel => {
    reasons.add(why);
    return { sure: NONE, possible: ALL, reasons: [] };
  };

  // path := ('*' | 'Event') predicate*
  const path = (): Sel => {
    const head = take();
    if (head !== '*' && head !== 'Event') throw new QueryError(`XPath "${xpath}" does not start with * or Event`);
    let acc: Sel = { sure: ALL, possible: ALL, reasons: [] };
    while (peek() === '[') acc = and(acc, predicate('event'));
    return acc;
  };
  const predicate = (scope: string): Sel => {
    take('[');
    const e = expr(scope);
    take(']');
    return e;
  };
  /** operand (word operand)*, folded left with `combine`. */
  const chain = (operand: () => Sel, word: string, combine: (a: Sel, b: Sel) => Sel): Sel => {
    let left = operand();
    while (peek()?.toLowerCase() === word) {
      take();
      left = combine(left, operand());
    }
    return left;
  };
  const expr = (scope: string): Sel => chain(() => andExpr(scope), 'or', or);
  const andExpr = (scope: string): Sel => chain(() => unary(scope), 'and', and);
  const unary = (scope: string): Sel => {
    if (peek()?.toLowerCase() === 'not' && toks[i + 1] === '(') {
      take();
      take('(');
      const e = expr(scope);
      take(')');
      return { sure: complement(e.possible), possible: complement(e.sure), reasons: [] };
    }
    return primary(scope);
  };
  const primary = (scope: string): Sel => {
    const t = peek();
    if (t === '(') {
      take();
      const e = expr(scope);
      take(')');
      return e;
    }
    if (t === '@') {
      take();
      const name = take();
      skipComparison();
      return unknown(`filter on @${name}`);
    }
    const name = take();
    if (name === undefined) throw new QueryError(`XPath "${xpath}" ends unexpectedly`);
    if (peek() === '(') {
      // A function (band, timediff …): skip its arguments.
      skipBalanced('(', ')');
      skipComparison();
      return unknown(`${name}() filter`);
    }
    if (name === 'System' && peek() === '[') {
      const flat = flatSystem();
      if (flat) return flat;
      let acc: Sel = { sure: ALL, possible: ALL, reasons: [] };
      while (peek() === '[') acc = and(acc, predicate('System'));
      return acc;
    }
    if (name === 'EventID' && scope === 'System') {
      if (peek() === '[') skipBalanced('[', ']');
      if (!isOp(peek())) return { sure: ALL, possible: ALL, reasons: [] }; // existence test
      const op = take();
      const n = Number(take());
      if (!Number.isInteger(n)) throw new QueryError(`XPath "${xpath}": EventID compared with a non-number`);
      const r = rangeFor(op, n);
      return { sure: r, possible: r, reasons: [] };
    }
    // Anything else (Provider, Level, Task, Keywords, TimeCreated, EventData, UserData …) is not evaluated.
    while (peek() === '[') skipBalanced('[', ']');
    skipComparison();
    return unknown(`${name} filter`);
  };
  /**
   * System[A and B and …] where each term is one test, or an or-list of tests of one kind: EventID comparisons,
   * Level=n, Provider[@Name='x']. Provider and Level are kept as conditions that the event's own provider and
   * level (known per rule and from data/channels.yaml) settle later; anything else: undefined, the general parse.
   */
  const flatSystem = (): Sel | undefined => {
    const start = i;
    const fail = () => {
      i = start;
      return undefined;
    };
    if (take() !== '[') return fail();
    let ids: Ranges = ALL;
    let providers: string[] | undefined;
    let levels: number[] | undefined;
    for (;;) {
      const grouped = peek() === '(';
      if (grouped) take();
      let kind: string | undefined;
      let r: Ranges = NONE;
      const names: string[] = [];
      const lv: number[] = [];
      for (;;) {
        const t = take();
        if (t === 'EventID' && isOp(peek())) {
          const op = take();
          const n = Number(take());
          if (!Number.isInteger(n)) return fail();
          r = union(r, rangeFor(op, n));
        } else if (t === 'Level' && peek() === '=') {
          take();
          const n = Number(take());
          if (!Number.isInteger(n)) return fail();
          lv.push(n);
        } else if (t === 'Provider' && peek() === '[') {
          take();
          if (take() !== '@' || take() !== 'Name' || take() !== '=') return fail();
          const q = take();
          if (!/^(['"]).*\1$/.test(q) || take() !== ']') return fail();
          names.push(q.slice(1, -1).toLowerCase());
        } else return fail();
        const k = t;
        if (kind && kind !== k) return fail();
        kind = k;
        if (!grouped || peek()?.toLowerCase() !== 'or') break;
        take();
      }
      if (grouped && take() !== ')') return fail();
      if (kind === 'EventID') ids = intersect(ids, r);
      else if (kind === 'Level') levels = levels ? levels.filter((x) => lv.includes(x)) : lv;
      else providers = providers ? providers.filter((x) => names.includes(x)) : names;
      const next = take();
      if (next === ']') break;
      if (next?.toLowerCase() !== 'and') return fail();
    }
    if (!providers && !levels) return { sure: ids, possible: ids, reasons: [] };
    if (providers) reasons.add('Provider filter');
    if (levels) reasons.add('Level filter');
    return { sure: NONE, possible: ids, reasons: [], cond: [{ ids, ...(providers ? { providers } : {}), ...(levels ? { levels } : {}) }] };
  };
  const isOp = (t: string | undefined) => t !== undefined && ['=', '!=', '>=', '<=', '<', '>'].includes(t);
  const skipComparison = () => {
    if (isOp(peek())) {
      take();
      take();
    }
  };
  const skipBalanced = (open: string, close: string) => {
    let depth = 0;
    do {
      const t = take();
      if (t === undefined) throw new QueryError(`XPath "${xpath}": unbalanced "${open}"`);
      if (t === open) depth++;
      else if (t === close) depth--;
    } while (depth > 0);
  };

  // Paths may be joined and grouped: "*[System[...]] and ((*[EventData[...]]) or (*[EventData[...]]))".
  const topOr = (): Sel => chain(topAnd, 'or', or);
  const topAnd = (): Sel => chain(topPrimary, 'and', and);
  const topPrimary = (): Sel => {
    if (peek() !== '(') return path();
    take();
    const e = topOr();
    take(')');
    return e;
  };
  const result = topOr();
  if (i < toks.length) throw new QueryError(`XPath "${xpath}": unexpected "${toks[i]}"`);
  return { ...result, reasons: [...reasons] };
}

function rangeFor(op: string, n: number): Ranges {
  switch (op) {
    case '=':
      return [[n, n]];
    case '!=':
      return normalize([
        [0, n - 1],
        [n + 1, 65535],
      ]);
    case '>=':
      return [[n, 65535]];
    case '>':
      return n >= 65535 ? NONE : [[n + 1, 65535]];
    case '<=':
      return [[0, n]];
    default:
      return n <= 0 ? NONE : [[0, n - 1]];
  }
}

/** Everything, unconditionally: the start of a path (`*`), neutral in `and`. */
const isEverything = (s: Sel) => isAll(s.sure) && !s.cond?.length;

function and(a: Sel, b: Sel): Sel {
  // A condition survives only an `and` with everything; elsewhere it is dropped (the events stay "possible").
  if (isEverything(a)) return b;
  if (isEverything(b)) return a;
  return { sure: intersect(a.sure, b.sure), possible: intersect(a.possible, b.possible), reasons: [] };
}
function or(a: Sel, b: Sel): Sel {
  const cond = [...(a.cond ?? []), ...(b.cond ?? [])];
  return { sure: union(a.sure, b.sure), possible: union(a.possible, b.possible), reasons: [], ...(cond.length ? { cond } : {}) };
}

/**
 * Adds what a QueryList forwards. Within one <Query>, each <Suppress> removes from that query's <Select>s on
 * the same channel what it surely matches (and makes "possible" what it may match).
 */
export function readQueryList(xml: string, source: string, into: ForwardedSet): string[] {
  const notes: string[] = [];
  const doc = parseXml(xml);
  const list = kids(doc, 'QueryList')[0];
  if (!list) throw new QueryError('no <QueryList> element');
  for (const q of kids(list, 'Query')) readQuery(q, source, into, notes);
  return notes;
}

function readQuery(q: XmlNode, source: string, into: ForwardedSet, notes: string[]): void {
  // Attribute values come raw from the parser (processEntities off): &amp; and &#x202E; are decoded here.
  const pathOf = (n: unknown) => {
    const v = attr(n, 'Path');
    return v === undefined ? undefined : decodeEntities(v);
  };
  const queryPath = pathOf(q);
  const byChannel = new Map<string, { channel: string; sel: Sel }>();
  const textOf = (n: unknown) => decodeEntities(typeof n === 'string' ? n : xmlText((n as XmlNode | undefined)?.['#text'])).trim();
  for (const s of (q['Select'] as unknown[] | undefined) ?? []) {
    const channel = pathOf(s) ?? queryPath;
    if (!channel) throw new QueryError('a <Select> without Path, in a <Query> without Path');
    const sel = evaluateXPath(textOf(s) || '*');
    const key = channel.toLowerCase();
    const cur = byChannel.get(key);
    byChannel.set(key, { channel, sel: cur ? { ...or(cur.sel, sel), reasons: [...cur.sel.reasons, ...sel.reasons] } : sel });
  }
  for (const s of (q['Suppress'] as unknown[] | undefined) ?? []) {
    const channel = pathOf(s) ?? queryPath;
    const sup = evaluateXPath(textOf(s) || '*');
    for (const [key, cur] of byChannel) {
      if (channel && channel.toLowerCase() !== key) continue;
      // A suppressed event is no longer known to pass, whatever its provider and level.
      const cond = (cur.sel.cond ?? []).map((c) => ({ ...c, ids: minus(c.ids, sup.possible) })).filter((c) => c.ids.length);
      cur.sel = {
        sure: minus(cur.sel.sure, sup.possible),
        possible: minus(cur.sel.possible, sup.sure),
        reasons: [...cur.sel.reasons, ...sup.reasons.map((r) => `suppressed where ${r}`)],
        ...(cond.length ? { cond } : {}),
      };
    }
  }
  for (const { channel, sel } of byChannel.values()) addForward(into, channel, sel.sure, sel.possible, sel.reasons, source, sel.cond);
  if (!byChannel.size) notes.push(`${source}: a <Query> without <Select>`);
}
