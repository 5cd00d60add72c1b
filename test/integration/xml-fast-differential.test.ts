/**
 * The fast XML reader (src/environment/xml-fast.ts) against fast-xml-parser, the reader of record: on every
 * XML file of the fixtures, the examples and the shared corpus (Sysmon config, WEF subscriptions), on the
 * same files with CRLF line ends, on hand-written edge cases, and on seeded mutations of all of them,
 * whatever the fast reader accepts the library must accept too and read into the same tree (same keys in
 * the same order, same arrays, same strings). What the fast reader declines, the library reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/io/decode.js';
import { fastXml } from '../../src/environment/xml-fast.js';
import { parseXmlLibrary } from '../../src/environment/xml.js';
import { CORPUS, corpusOrSkip, ROOT, rng, same } from '../helpers.js';

function xmlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) xmlFiles(p, out);
    else if (/\.xml$/i.test(e.name)) out.push(p);
  }
  return out;
}

const haveCorpus = corpusOrSkip('the shared corpus part of the fast XML differential test (fixtures are still compared)');
const files = [...xmlFiles(join(ROOT, 'test', 'fixtures')), ...xmlFiles(join(ROOT, 'examples')), ...(haveCorpus ? xmlFiles(CORPUS) : [])];
const texts = files.map((f) => decodeText(readFileSync(f)));

/** Undefined when the readers agree (or the fast one declined), else what differs. */
function disagreement(text: string): string | undefined {
  const fast = fastXml(text);
  if (fast === undefined) return undefined;
  let lib;
  try {
    lib = parseXmlLibrary(text);
  } catch (e) {
    return `the fast reader accepted a document the library rejects: ${(e as Error).message}`;
  }
  return same(fast, lib) ? undefined : `${JSON.stringify(fast).slice(0, 300)}\n vs ${JSON.stringify(lib).slice(0, 300)}`;
}

const EDGES = [
  '<r/>',
  '<r></r>',
  '<r>  </r>',
  '<r x="1"> </r>',
  '<r x="1"><a/></r>',
  '<r x="1">t</r>',
  '<r><a>1</a><b>2</b><a>3</a></r>',
  '<?xml version="1.0" encoding="utf-8"?>\r\n<r xmlns="urn:a" xmlns:q1="urn:b"><q1:a>  x  </q1:a></r>',
  '<?xml version="1.0"?><?pi x?><r/>',
  '<r>a<!--c-->b</r>',
  '<r>a > b</r>',
  '<r>a ]]> b</r>',
  '<r>a\rb</r>',
  '<r>a\r\nb</r>',
  '<r a="x\ty"/>',
  '<r a="1>2"/>',
  '<r a="x\r\ny"/>',
  '<__proto__/>',
  '<r><constructor>1</constructor></r>',
  '<r><toString/></r>',
  '<r><hasOwnProperty>1</hasOwnProperty></r>',
  '<r toString="1"/>',
  '<r>&foo;</r>',
  '<r>a & b</r>',
  '<r>&amp;&lt;</r>',
  '<r a="&amp;"/>',
  '<r>&#65;</r>',
  '<r>&#0;</r>',
  '<r>\u00a0x\u00a0</r>',
  '<r>\u2028x</r>',
  '<xml:r/>',
  '<r xml:lang="en"/>',
  '<r a:x="1" b:x="2"/>',
  '<r a="1" a="2"/>',
  '<r a="1"b="2"/>',
  '<r\n a="1"\n/>',
  '<r ></r >',
  '</r>',
  '<a:b:c/>',
  '<r><a>1</a></r><s/>',
  '<!DOCTYPE r><r/>',
  '<r><![CDATA[x]]></r>',
  '  <r/>',
  'x<r/>',
  '<r/>x',
  '<r>a<b>c</b></r>',
  '<r><a>x</a>tail</r>',
  '<r><!-- a -- b --></r>',
  '<r><!-- a- --></r>',
  '<r>\u0001</r>',
  '<r>\uffff</r>',
  '<r a=1/>',
  '<r a/>',
  '<r / >',
  '<r/ >',
  '<1r/>',
  '<r><1a/></r>',
  '<q1:r xmlns:q1="u"><q1:a q1:b="1"/></q1:r>',
  '<xmlns:r/>',
  '<r:/>',
  '<:r/>',
  '<r><a></b></r>',
  '<r>',
  '<r><a>',
  `${'<a>'.repeat(70)}${'</a>'.repeat(70)}`,
  '<r a="=">text<b c="1"/></r>',
  '<r a="x= ">t<b c="1"/></r>',
  '<r a=\'x="y\'>t<b c="1"/></r>',
  '<r a="k=v">t<b c="1"/></r>',
  '<r><!-- <a b="<" --></r>',
  '<r><!-- <a b=" --><b c="<"/></r>',
  `${'<a>'.repeat(101)}${'</a>'.repeat(101)}`,
  '<r>é</r>',
  '<é/>',
  '<r é="1"/>',
  '<r\u00a0a="1"/>',
  '<?xml version="1.0"?>',
  '',
  '<?xml ?><r/>',
];

const PIECES = [
  '="',
  "='",
  '= ',
  '=',
  ' a="x="',
  '<!-- <a b="<" -->',
  '<',
  '>',
  '/',
  '</',
  '/>',
  '"',
  "'",
  '=',
  ' ',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '&',
  '&amp;',
  '&#65;',
  '&#0;',
  '<!--',
  '-->',
  '--',
  '<![CDATA[',
  ']]>',
  '<?x?>',
  '<!DOCTYPE r>',
  ' xmlns="u"',
  'q1:',
  ':',
  ' a="1"',
  ' a="1" a="2"',
  '\u0001',
  '\u00a0',
  '\uffff',
  'é',
  '__proto__',
  'constructor',
  'toString',
  '<a>',
  '</a>',
  '<a/>',
  'x',
  '\ufeff',
  '<?xml version="1.0"?>',
];

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const piece = PIECES[Math.floor(r() * PIECES.length)] as string;
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, at) + piece + text.slice(at);
    case 1:
      return text.slice(0, at) + piece + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
    case 3: {
      // Repeat an element-sized span (duplicated elements and attributes).
      const len = Math.floor(r() * 200);
      return text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len);
    }
    case 4: // cut a span (unclosed or unopened elements)
      return text.slice(0, at) + text.slice(at + Math.floor(r() * 400));
    default: {
      // Rename one closing tag.
      const close = text.indexOf('</', at);
      return close < 0 ? text : `${text.slice(0, close + 2)}z${text.slice(close + 3)}`;
    }
  }
}

describe('fast XML reader vs fast-xml-parser', () => {
  it('reads every XML file of the fixtures, examples and corpus as the library does, or leaves it to it', () => {
    const bad = texts.flatMap((t, i) => {
      const d = disagreement(t) ?? disagreement(t.replace(/\r?\n/g, '\r\n')) ?? disagreement(t.replace(/\r\n/g, '\n'));
      return d ? [`${files[i]}: ${d}`] : [];
    });
    expect(bad).toEqual([]);
    expect(files.length).toBeGreaterThan(haveCorpus ? 30 : 20);
    // The files that make a fleet slow are read fast: every gpresult and Sysmon config the library accepts.
    const declined = files.filter((f, i) => /gpresult|sysmon/i.test(f) && fastXml(texts[i] as string) === undefined && accepts(texts[i] as string));
    expect(declined).toEqual([]);
  });

  it('hand-written edge cases: the same tree or the library', () => {
    const bad = EDGES.flatMap((t) => {
      const d = disagreement(t);
      return d ? [`${JSON.stringify(t)}: ${d}`] : [];
    });
    expect(bad).toEqual([]);
    // Some of them are read fast (not only refused): the comparison covers the shapes.
    expect(EDGES.filter((t) => fastXml(t) !== undefined).length).toBeGreaterThan(15);
  });

  it('mutated documents: whatever the fast reader accepts, the library reads the same', () => {
    const r = rng(27);
    const bad: string[] = [];
    let accepted = 0;
    for (let n = 0; n < 12_000 && bad.length < 3; n++) {
      const i = Math.floor(r() * texts.length);
      let text = texts[i] as string;
      for (let k = r() < 0.7 ? 1 : 2; k > 0; k--) text = mutate(text, r);
      if (fastXml(text) !== undefined) accepted++;
      const d = disagreement(text);
      if (d) bad.push(`${files[i]} (mutation ${n}): ${d}`);
    }
    expect(bad).toEqual([]);
    expect(accepted).toBeGreaterThan(1000); // the mutations exercise the fast reader, not only its refusals
  }, 120_000);
});

function accepts(text: string): boolean {
  try {
    parseXmlLibrary(text);
    return true;
  } catch {
    return false;
  }
}
