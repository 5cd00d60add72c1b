/**
 * The one-line pieces of the fast YAML reader (src/rules/fastyaml.ts): keys, plain and quoted scalars,
 * one-line flow collections, and the YAML 1.2 core schema. Each gives up (fail()) on anything outside the
 * subset rather than guess.
 */

/** A mapping or a sequence; anything else in a tree is a scalar's value. */
export class YMap {
  readonly keys: string[] = [];
  /** 1-based line of each key. */
  readonly lines: number[] = [];
  readonly values: YNode[] = [];
  /** A key repeats, or is a property every object inherits (toString, __proto__ …): toJS must define it. */
  careful = false;
  /** The keys as a set once the map is large: a list scan per key would make a map of 100,000 keys quadratic. */
  private index: Set<string> | undefined;
  add(key: string, line: number, value: YNode): void {
    if (!this.careful && (INHERITED.has(key) || this.repeats(key))) this.careful = true;
    this.keys.push(key);
    this.lines.push(line);
    this.values.push(value);
  }
  private repeats(key: string): boolean {
    if (this.keys.length < 16) return this.keys.includes(key); // a rule's maps: a few keys
    this.index ??= new Set(this.keys);
    if (this.index.has(key)) return true;
    this.index.add(key);
    return false;
  }
}
const INHERITED = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);
export class YSeq {
  readonly items: YNode[] = [];
}
export type YNode = YMap | YSeq | string | number | boolean | null;

/** Thrown to give up; caught by fastYaml, never escapes it. One instance: its stack is taken once, not per throw. */
export const GIVE_UP = new Error('the fast YAML path gives up: the yaml package reads this file');
export const fail = (): never => {
  throw GIVE_UP;
};

/** Leading spaces (YAML white space is space here: tabs are given up on, and JS trim() is not YAML's). */
export function leading(s: string, from = 0): number {
  let n = from;
  while (s.charCodeAt(n) === 32) n++;
  return n - from;
}
function trimEndSp(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return e === s.length ? s : s.slice(0, e);
}

export const isSeqItem = (t: string): boolean => t.charCodeAt(0) === 45 && (t.length === 1 || t.charCodeAt(1) === 32); // "-" or "- "

export interface KeyValue {
  key: string;
  /** What follows the colon: empty, or starting with a space. */
  rest: string;
}

/** `key: …` → the key and the rest; undefined when the line is not a mapping entry. */
export function mappingKey(t: string): KeyValue | undefined {
  const c = t[0];
  if (c === '"' || c === "'") {
    const q = quoted(t, 0);
    if (!q) return undefined;
    if (q.end > 1000) fail(); // yaml allows 1,024 characters of implicit key
    if (t[q.end] !== ':' || (t.length > q.end + 1 && t[q.end + 1] !== ' ')) return undefined;
    return { key: q.value, rest: t.slice(q.end + 1) };
  }
  if (!plainStart(t)) return undefined;
  for (let i = 1; i < t.length; i++) {
    const ch = t.charCodeAt(i);
    if (ch === 35 && t.charCodeAt(i - 1) === 32) return undefined; // " #": a comment before any colon
    if (ch !== 58 || (i + 1 < t.length && t.charCodeAt(i + 1) !== 32)) continue; // ":" then space or end
    if (i > 1000) fail();
    const key = t.slice(0, i);
    // Keys yaml would make from a null, a boolean or a number, spaces before the colon, merge keys: given up.
    if (typeof resolve(key) !== 'string' || key.charCodeAt(i - 1) === 32 || key === '<<') fail();
    return { key, rest: t.slice(i + 1) };
  }
  return undefined;
}

/** Can a plain scalar start here (YAML 1.2 ns-plain-first, block context)? */
export function plainStart(t: string): boolean {
  const c = t[0];
  if (c === undefined || '[]{},#&*!|>\'"%@`'.includes(c)) return false;
  return !((c === '-' || c === '?' || c === ':') && (t.length === 1 || t[1] === ' '));
}

/** A one-line plain scalar in block context: up to a comment, trailing spaces off. */
export function plain(r: string): string {
  if (!plainStart(r)) fail();
  const hash = r.indexOf(' #');
  const s = trimEndSp(hash < 0 ? r : r.slice(0, hash));
  if (s.includes(': ') || s.endsWith(':')) fail(); // a mapping inside a value: an error for yaml
  return s;
}

/** Nothing but spaces and a comment (after at least one space) from here on. */
export function endsLine(s: string, from: number): boolean {
  const n = leading(s, from);
  return from + n === s.length || (s.charCodeAt(from + n) === 35 && n > 0);
}

/** The escapes of YAML 1.2 double-quoted scalars (spec 5.7), but the escaped line break (multi-line). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPE: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A quoted scalar starting at `at` and closed on this line (`end`: after the quote), or undefined. */
export function quoted(s: string, at: number): { value: string; end: number } | undefined {
  const q = s[at];
  let out = '';
  let from = at + 1;
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === q) {
      if (q === "'" && s[i + 1] === "'") {
        out += s.slice(from, i + 1); // '' is one quote
        from = ++i + 1;
        continue;
      }
      return { value: out + s.slice(from, i), end: i + 1 };
    }
    if (q === '"' && ch === '\\') {
      const name = s[i + 1] ?? '';
      const digits = HEX_ESCAPE[name] ?? 0;
      let e = ESCAPES[name];
      if (digits) {
        const hex = s.slice(i + 2, i + 2 + digits);
        if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) fail();
        e = String.fromCodePoint(parseInt(hex, 16));
      }
      if (e === undefined) fail(); // an escaped line break or an unknown escape
      out += s.slice(from, i) + e;
      i += 1 + digits;
      from = i + 1;
    }
  }
  return undefined;
}

/** A one-line flow sequence or mapping of scalars, on (1-based) line `line`. */
export function flow(r: string, line: number): YNode {
  const isMap = r[0] === '{';
  const close = isMap ? '}' : ']';
  const map = new YMap();
  const seq = new YSeq();
  let i = 1 + leading(r, 1);
  const item = (): string | number | boolean | null => {
    const c = r[i];
    if (c === '"' || c === "'") {
      const q = quoted(r, i);
      if (!q) fail();
      i = (q as { end: number }).end;
      return (q as { value: string }).value;
    }
    let j = i;
    while (
      j < r.length &&
      !',[]{}'.includes(r[j] as string) &&
      !(r[j] === ':' && (r[j + 1] === ' ' || r[j + 1] === undefined)) &&
      !(r[j] === '#' && r[j - 1] === ' ')
    )
      j++;
    const s = trimEndSp(r.slice(i, j));
    if (!s || !plainStart(s) || s.includes(':')) fail();
    i = j;
    return resolve(s);
  };
  if (r[i] !== close) {
    for (;;) {
      const k = item();
      i += leading(r, i);
      if (isMap) {
        if (r[i] !== ':' || r[i + 1] !== ' ' || typeof k !== 'string' || k === '<<') fail();
        i += 1 + leading(r, i + 1);
        map.add(k as string, line, item());
        i += leading(r, i);
      } else seq.items.push(k);
      if (r[i] === close) break;
      if (r[i] !== ',') fail();
      i += 1 + leading(r, i + 1);
      if (r[i] === close) fail(); // a trailing comma
    }
  }
  if (!endsLine(r, i + 1)) fail();
  return isMap ? map : seq;
}

/** A plain scalar's value under the YAML 1.2 core schema (spec 10.3.2), as yaml resolves it. */
export function resolve(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Only these first characters can start a null, boolean or number: most strings end here.
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70))
    return s;
  if (/^(?:~|null|Null|NULL)$/.test(s)) return null;
  if (/^(?:true|True|TRUE|false|False|FALSE)$/.test(s)) return c === 116 || c === 84;
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(s)) return parseFloat(s);
  if (/^[-+]?\.(?:inf|Inf|INF)$/.test(s)) return c === 45 ? -Infinity : Infinity;
  if (/^\.(?:nan|NaN|NAN)$/.test(s)) return NaN;
  return s;
}
