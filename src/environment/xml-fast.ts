/**
 * A fast reader for the plain XML that Windows tools write (gpresult /x, Sysmon configs, WEF subscriptions):
 * elements, attributes, text, comments and an XML declaration. It builds exactly the tree that
 * fast-xml-parser builds with the options of xml.ts, and returns undefined whenever it is not certain of
 * that — DTDs, CDATA, processing instructions, character references, mixed content, unusual names,
 * anything malformed — so that the library reads (and judges) those documents instead.
 *
 * Why: a fleet of 10,000 gpresult files is ~300 million characters; the library's validation and parse
 * run at ~7 million characters a second, this at ~130 (docs/performance.md). The differential test
 * (test/integration/xml-fast-differential.test.ts) compares both on every XML file of the fixtures and the
 * shared corpus and on thousands of mutations of them: this reader must never accept what the library
 * rejects, nor build a different tree.
 */
/** An element as fast-xml-parser shapes it (xml.ts): children and "@attributes" by local name, each a list. */
export type XmlNode = Record<string, unknown>;

/** Deeper documents go to the library, which refuses more than 100 levels (Windows' files nest a dozen). */
const MAX_DEPTH = 64;
const MAX_ATTRIBUTES = 64;
/** Characters XML 1.0 forbids: their presence sends the document to the library's error path. */
export const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
/** The pattern xml.ts rejects as "<" inside an attribute value (it also matches across tags). */
export const LT_IN_QUOTES = /<[A-Za-z_][^<>]*?=\s*("[^"]*<[^"]*"|'[^']*<[^']*')/;
const ENTITY = /&(?!(?:lt|gt|amp|quot|apos);)/;
/** Names the library refuses or renames (prototype pollution guards): the library handles them. */
const RESERVED = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'hasownproperty',
  'tostring',
  'valueof',
  '__definegetter__',
  '__definesetter__',
  '__lookupgetter__',
  '__lookupsetter__',
]);

interface Open {
  /** Where the element's start tag begins: a large element's text is remembered from there. */
  at: number;
  /** `suspects` when the element opened: a remembered element says whether it holds any. */
  suspects: number;
  raw: string;
  local: string;
  node: XmlNode;
  attrs: XmlNode | undefined;
  text: string | undefined;
  children: boolean;
}

export function fastXml(s: string): XmlNode | undefined {
  // Character references are checked by xml.ts over the whole text (comments too): such documents go to
  // the library and its checks. Its LT_IN_QUOTES check can only match where a comment holds "<" or an
  // attribute value could start a match (see attributes()): it runs only on documents with one of those.
  if (FORBIDDEN.test(s) || s.includes('&#')) return undefined;
  suspects = 0;
  const doc: XmlNode = {};
  const stack: Open[] = [];
  let roots = 0;
  let i = 0;
  if (s.startsWith('<?xml')) {
    const end = s.indexOf('?>');
    const c = s.charCodeAt(5);
    if (end < 0 || (c !== 32 && c !== 9 && c !== 10 && c !== 13)) return undefined;
    const attrs = attributes(s, 5, end);
    if (!attrs?.attrs || attrs.end !== end) return undefined;
    doc['?xml'] = [attrs.attrs];
    i = end + 2;
  }
  const n = s.length;
  while (i < n) {
    const lt = s.indexOf('<', i);
    const stop = lt < 0 ? n : lt;
    if (stop > i) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (!blank(s, i, stop)) return undefined;
      } else if (!blank(s, i, stop)) {
        if (top.text !== undefined) return undefined; // text in two pieces (around a comment or child)
        const t = text(s.slice(i, stop));
        if (t === undefined) return undefined;
        top.text = t;
      }
    }
    if (lt < 0) break;
    const c = s.charCodeAt(lt + 1);
    if (c === 47 /* / */) {
      const gt = s.indexOf('>', lt + 2);
      const top = stack.pop();
      if (gt < 0 || !top) return undefined;
      let e = gt;
      while (e > lt + 2 && isSpace(s.charCodeAt(e - 1))) e--;
      if (e - lt - 2 !== top.raw.length || !s.startsWith(top.raw, lt + 2)) return undefined;
      const value = finish(top);
      if (value === undefined) return undefined;
      add(stack[stack.length - 1]?.node ?? doc, top.local, value);
      if (stack.length >= 2 && gt + 1 - top.at >= MEMO_MIN) remember(s, top.at, gt + 1, top.raw, stack.length, value, suspects > top.suspects);
      i = gt + 1;
    } else if (c === 33 /* ! */) {
      if (!s.startsWith('<!--', lt)) return undefined;
      const end = s.indexOf('-->', lt + 4);
      if (end < 0) return undefined;
      const body = s.slice(lt + 4, end);
      if (body.includes('--') || body.endsWith('-')) return undefined;
      if (body.includes('<')) suspects++; // "<x a=" in a comment could start a match of LT_IN_QUOTES
      i = end + 3;
    } else {
      const nameEnd = nameAt(s, lt + 1);
      if (nameEnd < 0) return undefined;
      const raw = s.slice(lt + 1, nameEnd);
      const local = localName(raw);
      if (local === undefined) return undefined;
      const a = attributes(s, nameEnd, -1);
      if (!a) return undefined;
      const selfClosing = s.charCodeAt(a.end) === 47;
      if (selfClosing && s.charCodeAt(a.end + 1) !== 62) return undefined;
      const parent = stack[stack.length - 1];
      if (!parent && ++roots > 1) return undefined;
      if (parent) parent.children = true;
      if (!selfClosing && parent && names.has(raw)) {
        const seen = recall(s, lt, raw, stack.length);
        if (seen) {
          if (seen.suspect) suspects++;
          add(parent.node, local, seen.value);
          i = seen.end;
          continue;
        }
      }
      const open: Open = { at: lt, suspects, raw, local, node: {}, attrs: a.attrs, text: undefined, children: false };
      if (selfClosing) {
        add(parent?.node ?? doc, local, finish(open));
        i = a.end + 2;
      } else {
        if (stack.length >= MAX_DEPTH) return undefined;
        stack.push(open);
        i = a.end + 1;
      }
    }
  }
  if (stack.length || roots !== 1 || (suspects > 0 && LT_IN_QUOTES.test(s))) return undefined;
  return doc;
}

/** Places in the document being read that LT_IN_QUOTES could start from. */
let suspects = 0;

/** A finished element in the library's shapes; undefined for mixed content. */
function finish(el: Open): unknown {
  if (el.children) {
    if (el.text !== undefined) return undefined;
    return el.attrs ? Object.assign(el.node, el.attrs) : el.node;
  }
  if (el.attrs) return el.text ? { '#text': el.text, ...el.attrs } : el.attrs;
  return el.text ?? '';
}

function add(target: XmlNode, local: string, value: unknown): void {
  const list = Object.hasOwn(target, local) ? (target[local] as unknown[]) : undefined;
  if (list) list.push(value);
  else target[local] = [value];
}

/*
 * Repeated blocks. The hosts of a fleet share their GPOs, so their gpresult files repeat the same
 * <ExtensionData> and <GPO> blocks word for word. An element of at least MEMO_MIN characters, below the
 * root's children, is remembered by its exact text and depth; where the same text starts at the same depth again,
 * its tree is taken, not built. Reading an element depends on nothing outside it but its depth (the
 * document-wide checks run on every document), so the same text gives the same tree. The trees are frozen:
 * a reader that changed one would throw instead of changing another document's.
 */
const MEMO_MIN = 256;
const MEMO_MAX_CHARS = 8_000_000;
/** Texts kept per key: look-alike blocks (same start and length) beyond these are read, not remembered. */
const BUCKET_MAX = 4;
/** Entries by depth, name, length and first characters; the whole text is then compared. */
const memo = new Map<string, { text: string; value: unknown; suspect: boolean }[]>();
/**
 * Per element name, how often remembering paid. Blocks that hold a host's own data (processing times,
 * event details) never repeat: after TRIAL texts without enough hits a name is no longer remembered or
 * looked up, so such blocks cost one failed lookup each for a while, not a growing list.
 */
const TRIAL = 16;
const names = new Map<string, { kept: number; hits: number }>();
let memoChars = 0;

function worth(raw: string): boolean {
  const n = names.get(raw);
  return !n || n.kept < TRIAL || n.hits * 4 >= n.kept;
}

function memoKey(s: string, at: number, len: number, raw: string, depth: number): string {
  return `${depth} ${raw} ${len} ${s.slice(at, at + 96)}`;
}

function remember(s: string, at: number, end: number, raw: string, depth: number, value: unknown, suspect: boolean): void {
  const len = end - at;
  if (memoChars + len > MEMO_MAX_CHARS || !worth(raw)) return;
  const key = memoKey(s, at, len, raw, depth);
  const bucket = memo.get(key) ?? [];
  const here = s.slice(at, end);
  if (bucket.length >= BUCKET_MAX || bucket.some((e) => e.text === here)) return;
  const text = detach(here);
  bucket.push({ text, value: freeze(value), suspect });
  memo.set(key, bucket);
  const n = names.get(raw) ?? { kept: 0, hits: 0 };
  n.kept++;
  names.set(raw, n);
  memoChars += len;
}

function recall(s: string, at: number, raw: string, depth: number): { value: unknown; end: number; suspect: boolean } | undefined {
  if (!worth(raw)) return undefined;
  const close = s.indexOf(`</${raw}>`, at);
  if (close < 0) return undefined;
  const end = close + raw.length + 3;
  const bucket = memo.get(memoKey(s, at, end - at, raw, depth));
  // Comparing a slice with === runs at memcmp speed; startsWith with a long string does not.
  const here = bucket && s.slice(at, end);
  const seen = bucket?.find((e) => e.text === here);
  if (!seen) return undefined;
  (names.get(raw) as { hits: number }).hits++;
  return { value: seen.value, end, suspect: seen.suspect };
}

/**
 * A string of its own, not a slice: a slice keeps the whole document it was cut from alive. The JSON round
 * trip is lossless (lone surrogates included).
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function freeze(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) freeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * Attributes from `from` up to the tag's end (">" or "/>"; or `stop` for the XML declaration). Returns
 * the position of that end, or undefined when anything is unusual.
 */
function attributes(s: string, from: number, stop: number): { attrs: XmlNode | undefined; end: number } | undefined {
  let attrs: XmlNode | undefined;
  let names: string[] | undefined; // raw names, namespace declarations included: a repeated one is an error
  let i = from;
  for (;;) {
    const ws = i;
    while (isSpace(s.charCodeAt(i))) i++;
    const c = s.charCodeAt(i);
    if (i === stop || (stop < 0 && (c === 62 || c === 47))) return { attrs, end: i };
    if (i === ws) return undefined; // attributes are separated by white space
    const nameEnd = nameAt(s, i);
    if (nameEnd < 0) return undefined;
    const raw = s.slice(i, nameEnd);
    i = nameEnd;
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 61 /* = */) return undefined;
    i++;
    while (isSpace(s.charCodeAt(i))) i++;
    const q = s.charCodeAt(i);
    if (q !== 34 && q !== 39) return undefined;
    const close = s.indexOf(q === 34 ? '"' : "'", i + 1);
    if (close < 0) return undefined;
    const raw0 = s.slice(i + 1, close);
    if (/[<>\t\n\r]/.test(raw0) || (raw0.includes('&') && ENTITY.test(raw0))) return undefined;
    // LT_IN_QUOTES: inside a start tag it can only match from an "=" in a value followed by a quote (this
    // value's closing one or an inner one) and a later quoted stretch holding "<"; every other "=" of a
    // tag opens a value without "<". A value that could be such a start has the whole document checked.
    if (raw0.includes('=') && /=\s*(["']|$)/.test(raw0)) suspects++;
    // The library trims attribute values as it trims text.
    const value = raw0.trim();
    if (value !== trimXml(raw0)) return undefined;
    i = close + 1;
    // More attributes than Windows' files ever carry go to the library (the repeat check here is a list scan).
    if (names?.includes(raw) || (names?.length ?? 0) >= MAX_ATTRIBUTES) return undefined;
    (names ??= []).push(raw);
    if (raw === 'xmlns' || raw.startsWith('xmlns:')) continue;
    const local = localName(raw);
    if (local === undefined || raw.startsWith('xml:')) return undefined;
    attrs ??= {};
    const key = `@${local}`;
    if (Object.hasOwn(attrs, key)) return undefined;
    attrs[key] = [value];
  }
}

/** End of an ASCII XML name starting at `i` (letters, digits, _ . - and at most one ":"), or -1. */
function nameAt(s: string, i: number): number {
  const first = s.charCodeAt(i);
  if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95)) return -1;
  let colons = 0;
  let j = i + 1;
  for (; ; j++) {
    const c = s.charCodeAt(j);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46) continue;
    if (c === 58) {
      if (++colons > 1) return -1;
      continue;
    }
    break;
  }
  const end = s.charCodeAt(j);
  // A name ends at white space, "/", ">" or "=" (attributes); anything else is not the plain XML we read.
  return isSpace(end) || end === 47 || end === 62 || end === 61 ? j : -1;
}

/** Names repeat thousands of times in a file: their local parts are remembered (within a bound). */
const locals = new Map<string, string | null>();

/** The local part of a name; undefined for an empty part, an xmlns element or a reserved word. */
function localName(raw: string): string | undefined {
  const known = locals.get(raw);
  if (known !== undefined) return known ?? undefined;
  const local = computeLocal(raw);
  if (locals.size < 10_000) locals.set(raw, local ?? null);
  return local;
}

function computeLocal(raw: string): string | undefined {
  const colon = raw.indexOf(':');
  const local = colon < 0 ? raw : raw.slice(colon + 1);
  if (!local || raw.startsWith('xmlns:') || RESERVED.has(local.toLowerCase()) || RESERVED.has(raw.toLowerCase())) return undefined;
  if (colon >= 0 && !/^[A-Za-z_]/.test(local)) return undefined;
  return local;
}

/** Text content as the library keeps it: trimmed, line ends made "\n", entities left as written. */
function text(raw: string): string | undefined {
  if (raw.includes('&') && ENTITY.test(raw)) return undefined;
  if (raw.includes(']]>')) return undefined;
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  // Most values ("true", a GUID) start and end with a visible ASCII character: nothing to trim.
  if (first > 32 && first < 128 && last > 32 && last < 128) return raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw;
  const t = raw.trim();
  // JavaScript's trim also strips non-XML spaces (U+00A0 …): leave such text to the library.
  if (t !== trimXml(raw)) return undefined;
  return t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t;
}

function trimXml(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s.charCodeAt(a))) a++;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function blank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
