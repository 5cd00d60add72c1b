/**
 * Namespace-blind XML access. gpresult and Sysmon files vary their element prefixes (q1:, q3: …) from
 * file to file, so elements are matched by local name only; every element is read as a list.
 */
import { lazy } from '../lazy.js';

const fxp = lazy<typeof import('fast-xml-parser')>('fast-xml-parser');

export type XmlNode = Record<string, unknown>;

export class XmlError extends Error {}

/** Parses XML text, or throws XmlError with the line of the first problem. DTDs are never expanded. */
export function parseXml(text: string): XmlNode {
  const { XMLParser, XMLValidator } = fxp();
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { line, msg } = valid.err;
    const cut = /Unclosed|Invalid '\[/.test(msg) ? 'the file is incomplete or malformed' : msg;
    throw new XmlError(`XML error at line ${line}: ${cut}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    isArray: () => true,
  });
  return parser.parse(text) as XmlNode;
}

/** Child elements with this local name. */
export function kids(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as XmlNode[]) : [];
}

/** Text of the first child element with this local name (trimmed), or undefined. */
export function text(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as XmlNode)[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return first.trim();
  if (typeof first === 'number' || typeof first === 'boolean') return String(first);
  if (first && typeof first === 'object' && '#text' in first) return String((first as XmlNode)['#text']).trim();
  if (first && typeof first === 'object') return '';
  return undefined;
}

/** Value of an attribute (local name). */
export function attr(node: unknown, name: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as XmlNode)[`@${name}`];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : String(first);
}

/** The five predefined XML entities and character references (DTD entities are never expanded). */
export function decodeEntities(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e] ?? m;
  });
}
