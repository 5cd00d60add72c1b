/**
 * The fast YAML reader (src/rules/fastyaml.ts) against the yaml package, the reader of record: on every YAML
 * file of the shared corpus, and on mutated copies of a sample of them (seeded, so a failure reproduces),
 * whatever the fast reader accepts must be what yaml reads — the same values (key order, numbers, nulls),
 * the same line of `logsource:`, the same repeated keys and lines — and yaml must find no error in it.
 * Files the fast reader gives up on are read by yaml; the test also keeps that share small, so that the
 * comparison stays about the files that matter.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeText } from '../../src/io/decode.js';
import { fastYaml, type FastDoc } from '../../src/rules/fastyaml.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import { CORPUS, corpusOrSkip, rng, same } from '../helpers.js';

const have = corpusOrSkip('fast-path differential tests');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/i.test(name)) out.push(p);
  }
  return out;
}

/** What the yaml package reads, in the fast reader's terms; undefined when yaml reports an error. */
function byPackage(text: string): FastDoc[] | undefined {
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false, strict: false, logLevel: 'error' });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  if (docs.some((d) => d.errors.length)) return undefined;
  return docs.map((doc) => {
    const duplicates: { key: string; line: number }[] = [];
    const stack: unknown[] = [doc.contents];
    let visited = 0;
    while (stack.length && visited++ < 100_000) {
      const n = stack.pop();
      if (isMap(n)) {
        const seen = new Set<string>();
        for (const p of n.items) {
          if (!isPair(p)) continue;
          if (isScalar(p.key)) {
            const k = String(p.key.value);
            if (seen.has(k)) duplicates.push({ key: k, line: lc.linePos(p.key.range?.[0] ?? 0).line });
            seen.add(k);
          }
          stack.push(p.value);
        }
      } else if (isSeq(n)) stack.push(...n.items);
    }
    let logsourceLine: number | undefined;
    if (isMap(doc.contents)) {
      const p = doc.contents.items.find((x) => isScalar(x.key) && x.key.value === 'logsource');
      if (p && isScalar(p.key)) logsourceLine = lc.linePos(p.key.range?.[0] ?? 0).line;
    }
    return { value: doc.toJS({ maxAliasCount: 100 }), logsourceLine, duplicates };
  });
}

/** Compares the readers on one text: undefined when they agree, else what differs. */
function disagreement(text: string): string | undefined {
  const fast = fastYaml(text);
  if (!fast) return undefined; // given up: yaml reads it
  const pkg = byPackage(text);
  if (!pkg) return 'the fast reader accepted a text yaml reports an error in';
  if (pkg.length !== fast.length) return `${fast.length} documents, yaml ${pkg.length}`;
  for (let i = 0; i < pkg.length; i++) {
    const f = fast[i] as FastDoc;
    const p = pkg[i] as FastDoc;
    if (!same(f.value, p.value)) return `document ${i + 1}: ${JSON.stringify(f.value)?.slice(0, 300)} vs ${JSON.stringify(p.value)?.slice(0, 300)}`;
    if (f.logsourceLine !== p.logsourceLine) return `logsource line ${f.logsourceLine} vs ${p.logsourceLine}`;
    if (JSON.stringify(f.duplicates) !== JSON.stringify(p.duplicates)) return `duplicates ${JSON.stringify(f.duplicates)} vs ${JSON.stringify(p.duplicates)}`;
  }
  return undefined;
}

const PIECES = [
  ' ',
  '  ',
  ':',
  ': ',
  '-',
  '- ',
  '#',
  ' #',
  '"',
  "'",
  '|',
  '>',
  '|-',
  '>-',
  '\n',
  '\n\n',
  '\r',
  '\r\n',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a',
  '*a',
  '!',
  '\t',
  '?',
  '%',
  '@',
  '`',
  '\\',
  '\\u00e9',
  '\\x',
  'x',
  '0',
  '1.5',
  '.inf',
  'null',
  'true',
  '~',
  '0x1F',
  '0o7',
  '---',
  '...',
  '\u00a0',
  '<<',
  'a: b',
  '  - c',
  '[a, b]',
  '{a: 1}',
  '1e3',
  '-0',
  '+1',
];

function mutate(text: string, r: () => number): string {
  const lines = text.split('\n');
  const li = Math.floor(r() * lines.length);
  const line = lines[li] as string;
  const at = Math.floor(r() * (line.length + 1));
  const piece = PIECES[Math.floor(r() * PIECES.length)] as string;
  switch (Math.floor(r() * 6)) {
    case 0: // insert
      lines[li] = line.slice(0, at) + piece + line.slice(at);
      break;
    case 1: // replace one character
      lines[li] = line.slice(0, at) + piece + line.slice(at + 1);
      break;
    case 2: // delete a few characters
      lines[li] = line.slice(0, at) + line.slice(at + 1 + Math.floor(r() * 3));
      break;
    case 3: // re-indent the line
      lines[li] = ' '.repeat(Math.floor(r() * 12)) + line.trimStart();
      break;
    case 4: // repeat the line (repeated keys)
      lines.splice(li, 0, line);
      break;
    default: // drop the line
      lines.splice(li, 1);
  }
  return lines.join('\n');
}

describe.skipIf(!have)('fast YAML reader vs the yaml package', () => {
  const files = have ? yamlFiles(CORPUS) : [];
  const texts = files.map((f) => decodeText(readFileSync(f)));

  it('reads every YAML file of the corpus as yaml does, or leaves it to yaml', () => {
    const bad: string[] = [];
    let fast = 0;
    texts.forEach((t, i) => {
      if (fastYaml(t)) fast++;
      const d = disagreement(t);
      if (d) bad.push(`${files[i]}: ${d}`);
    });
    expect(bad).toEqual([]);
    expect(files.length).toBeGreaterThan(3900);
    // Nearly every rule is read by the fast reader: the comparison is about the files that matter.
    expect(fast / files.length).toBeGreaterThan(0.99);
  });

  it('the corpus with CRLF line ends (a Windows checkout) reads the same as with LF', () => {
    const bad: string[] = [];
    texts.forEach((t, i) => {
      const crlf = t.replace(/\n/g, '\r\n');
      const d = disagreement(crlf);
      if (d) bad.push(`${files[i]}: ${d}`);
      else if (!fastYaml(crlf) !== !fastYaml(t)) bad.push(`${files[i]}: read only with ${fastYaml(t) ? 'LF' : 'CRLF'}`);
    });
    expect(bad).toEqual([]);
  }, 120_000);

  it('mutated rules: whatever the fast reader accepts, yaml reads the same', () => {
    const r = rng(15);
    const bad: string[] = [];
    let accepted = 0;
    for (let n = 0; n < 6000; n++) {
      const i = Math.floor(r() * texts.length);
      let text = texts[i] as string;
      for (let k = 1 + Math.floor(r() * 3); k > 0; k--) text = mutate(text, r);
      if (fastYaml(text)) accepted++;
      const d = disagreement(text);
      if (d) bad.push(`${files[i]} (mutation ${n}): ${d}\n${text}`);
      if (bad.length >= 3) break;
    }
    expect(bad).toEqual([]);
    expect(accepted).toBeGreaterThan(1000); // the mutations exercise the fast reader, not only its refusals
  }, 120_000);

  describe('parseRuleFile gives the same result with either reader', () => {
    afterEach(() => {
      delete process.env['LOGSOURCE_CHECK_YAML'];
    });
    it('on every rule file of the corpus', () => {
      const fast = texts.map((t, i) => JSON.stringify(parseRuleFile(files[i] as string, t)));
      process.env['LOGSOURCE_CHECK_YAML'] = 'package';
      const pkg = texts.map((t, i) => JSON.stringify(parseRuleFile(files[i] as string, t)));
      const differ = files.filter((_, i) => fast[i] !== pkg[i]);
      expect(differ).toEqual([]);
    }, 120_000);
  });
});
