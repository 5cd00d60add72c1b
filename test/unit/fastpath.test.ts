/**
 * The fast YAML reader (src/rules/fastyaml.ts) on small texts: what it reads it reads as the yaml package
 * does (values, key order, lines of `logsource:` and of repeated keys), and it leaves to yaml what is outside
 * its subset. The corpus-wide comparison is test/integration/fastpath-differential.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fastYaml } from '../../src/rules/fastyaml.js';
import { parseRuleFile } from '../../src/rules/parse.js';

const pkg = (t: string) => {
  const d = parseAllDocuments(t, { uniqueKeys: false, strict: false, logLevel: 'error' });
  return (Array.isArray(d) ? d : [d]).map((x) => x.toJS());
};

const READ = [
  'title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    EventID: 4688\n  condition: sel\n',
  'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1.50\ng: 1e3\nh: .inf\ni: -.Inf\nj: .nan\nk: ~\nl: Null\nm: TRUE\nn: false\no: 017\np: 1_000\nq: 2024-01-02\n',
  "a: 'it''s'\nb: \"tab\\there \\u00e9 \\x41 \\\\ \\\"q\\\"\"\nc: 'x' # comment\nd: x#y\ne: x # y\n",
  'a:\n- 1\n-\n- 3\nb: 2\n',
  'list:\n  - a: 1\n    b: 2\n  - c\n  -   d: 4\n      e: 5\n',
  'a: |\n  line 1\n\n  line 3\n\nb: >-\n  folded\n  text\n\n  new paragraph\nc: |-\n  x\n',
  'a: [1, two, "three", \'four\']\nb: {product: windows, category: process_creation}\nc: []\nd: {}\n',
  'condition:\n    selection and\n    not filter\ndescription: one\n  two\n\n  three\n',
  'k: 1\nk: 2\nm:\n  x: 1\n  x: 2\n  y: {z: 1, z: 2}\n',
  'toString: 1\n__proto__: 2\nconstructor: 3\n',
  '# only a comment\n---\na: 1\n---\n---\nb: 2\n',
  'a: 1\r\nb:\r\n  - x\r\nc: |\r\n  y\r\n',
  'a: x   \nb: "y"   \n# tab\tin a comment\nc: \u00a0nbsp\u00a0\n',
];

const GIVEN_UP = [
  'a: &x 1\nb: *x\n', // anchors and aliases
  'a: !!str 1\n', // tags
  '%YAML 1.2\n---\na: 1\n', // directives
  'a: 1\n...\n', // document end
  '? a\n: b\n', // explicit keys
  'a: "multi\n  line"\n', // quoted over several lines
  'a:\tb\n', // a tab outside a comment
  'a: 1\rb: 2\n', // a lone CR
  '1: a\n', // a key that is not a string
  '<<: {a: 1}\n', // a merge key
  'a: |2\n   x\n', // an indentation indicator
  'a: |+\n  x\n\n', // keep chomping
  'a: [[1]]\n', // nested flow
  '- a\n- b\n', // a root that is not a mapping
  'a: b: c\n', // an error for yaml
  'a: 1\n  b: 2\n', // an error for yaml
];

describe('fast YAML reader', () => {
  it.each(READ.map((t) => [t]))('reads %j as yaml does', (t) => {
    const fast = fastYaml(t);
    expect(fast).toBeDefined();
    const values = fast!.map((d) => d.value);
    expect(JSON.stringify(values)).toBe(JSON.stringify(pkg(t)));
    expect(values).toEqual(pkg(t)); // NaN and -Infinity too
  });

  it.each(GIVEN_UP.map((t) => [t]))('leaves %j to yaml', (t) => {
    expect(fastYaml(t)).toBeUndefined();
  });

  it('gives the line of logsource and of repeated keys, as the rule notes show them', () => {
    const t = 'title: t\nlogsource:\n  product: windows\ndetection:\n  sel:\n    Image: a\n    Image: b\n  condition: sel\n';
    expect(fastYaml(t)![0]).toMatchObject({ logsourceLine: 2, duplicates: [{ key: 'Image', line: 7 }] });
    const rule = parseRuleFile('r.yml', t).rules[0] as { logsourceLine: number; facts: { warnings: string[] } };
    expect(rule.logsourceLine).toBe(2);
    expect(rule.facts.warnings).toContain('duplicate key Image at line 7: the earlier value is ignored, as PyYAML does');
  });

  it('parseRuleFile is the same with the yaml package (LOGSOURCE_CHECK_YAML=package)', () => {
    const texts = READ.filter((t) => /title|detection/.test(t)).concat(
      'title: c\naction: global\nlogsource: {product: windows}\n---\ndetection: {s: {a: 1}, condition: s}\n',
    );
    const fast = texts.map((t) => JSON.stringify(parseRuleFile('x.yml', t)));
    process.env['LOGSOURCE_CHECK_YAML'] = 'package';
    try {
      expect(texts.map((t) => JSON.stringify(parseRuleFile('x.yml', t)))).toEqual(fast);
    } finally {
      delete process.env['LOGSOURCE_CHECK_YAML'];
    }
  });
});
