/**
 * Namespace-blind XML access. gpresult and Sysmon files vary their element prefixes (q1:, q3: …) from
 * file to file, so elements are matched by local name only; every element is read as a list.
 */
import { lazy } from '../lazy.js';
import { detach, fastXml, FORBIDDEN, LT_IN_QUOTES, type XmlNode } from './xml-fast.js';

const fxp = lazy<typeof import('fast-xml-parser')>('fast-xml-parser');

export type { XmlNode };

export class XmlError extends Error {}

/** Parses XML text, or throws XmlError with the line of the first problem. DTDs are never expanded. */
export function parseXml(text: string): XmlNode {
  // Plain documents (nearly all of them) take the fast reader, which builds the library's tree or declines.
  // LOGSOURCE_CHECK_XML=library makes the library read everything (the two give the same results).
  return (process.env['LOGSOURCE_CHECK_XML'] === 'library' ? undefined : fastXml(text)) ?? parseXmlLibrary(text);
}

/** The same, always through fast-xml-parser: the reference the fast reader is compared with. */
export function parseXmlLibrary(text: string): XmlNode {
  const { XMLParser, XMLValidator } = fxp();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, msg } = valid.err;
    const cut = /Unclosed|Invalid '\[/.test(msg) ? 'the file is incomplete or malformed' : msg;
    throw new XmlError(`XML error at line ${line}: ${cut}`);
  }
  const strict = notWellFormed(text);
  if (strict) throw new XmlError(strict);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    isArray: () => true,
  });
  const doc = parser.parse(text) as XmlNode;
  const roots = Object.entries(doc).filter(([k]) => !k.startsWith('?') && !k.startsWith('#') && k !== '!--');
  if (roots.length !== 1 || (Array.isArray(roots[0]?.[1]) && (roots[0][1] as unknown[]).length > 1)) {
    throw new XmlError('XML error: a document has exactly one root element; this one has ' + (roots.length ? 'more' : 'none'));
  }
  return doc;
}

/**
 * What fast-xml-parser's validator lets through but XML 1.0 (and so Windows' own XML readers, and Sysmon)
 * rejects: characters XML forbids, character references to them, "--" inside a comment, "<" in an attribute.
 */
function notWellFormed(text: string): string | undefined {
  const at = (i: number) => `XML error at line ${text.slice(0, i).split('\n').length}`;
  const bad = FORBIDDEN.exec(text);
  if (bad) return `${at(bad.index)}: character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`;
  for (const m of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const cp = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : Number(m[1]);
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return `${at(m.index ?? 0)}: character reference ${m[0]} names a character XML does not allow`;
  }
  for (const m of text.matchAll(/<!--([\s\S]*?)-->/g)) {
    if (m[1]!.includes('--') || m[1]!.endsWith('-')) return `${at(m.index ?? 0)}: "--" inside a comment`;
  }
  const lt = LT_IN_QUOTES.exec(text);
  if (lt) return `${at(lt.index)}: "<" inside an attribute value`;
  return undefined;
}

/** Child elements with this local name. */
export function kids(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as XmlNode[]) : [];
}

/** An XML text or attribute value as a string (the parser gives strings, or numbers and booleans when told to). */
export function xmlText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** Text of the first child element with this local name (trimmed), or undefined. */
export function text(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as XmlNode)[name];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return own(first.trim());
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  if (first && typeof first === 'object' && '#text' in first) return own(xmlText((first as XmlNode)['#text']).trim());
  if (first && typeof first === 'object') return '';
  return undefined;
}

/** Value of an attribute (local name). */
export function attr(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as XmlNode)[`@${name}`];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : own(xmlText(first));
}

/**
 * Values read out of a document are kept as strings of their own. The readers hand out slices of the
 * document's text, and a slice keeps the whole text alive: a host name or a GPO name quoted in a fleet
 * host's notes would hold on to its 40 KB gpresult file. Values repeat across a fleet (GUIDs, GPO and
 * setting names), so each distinct value is copied once and shared (up to a bound).
 */
const owned = new Map<string, string>();

function own(s: string): string {
  if (s.length < 13) return s; // V8 copies short slices anyway
  const known = owned.get(s);
  if (known !== undefined) return known;
  const copy = detach(s);
  if (owned.size < 100_000) owned.set(copy, copy);
  return copy;
}

/** The five predefined XML entities and character references (DTD entities are never expanded). */
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e] ?? m;
  });
}
