/**
 * Control characters out of every output: a rule whose title, category and field values carry a colour
 * sequence (ESC [31m), an OSC 8 hyperlink, BEL, the one-byte CSI U+009B and the bidi controls U+202E / U+2066
 * (Trojan Source, CVE-2021-42574) must not put any of them raw into a report, a generated file or the terminal.
 * Each output kind keeps the data in its own way (docs/limits.md "Escaping per output"): JSON and SARIF as
 * \uXXXX (the value parses back exactly), XML as character references (Sysmon matches the exact value; SigmaHQ
 * has rules whose value is U+202E itself), everything a person reads as U+FFFD.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { ALL } from '../../src/environment/forwarded.js';
import { generateCollectorConfig, roundTrip } from '../../src/generate/collector-config.js';
import { runCli } from '../helpers.js';

/** Raw controls a reader obeys; tab and line feed are layout (CR is checked where files use CRLF). */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;
/** A character reference to a bidi control or ESC still acts in HTML: none may appear there either. */
const HTML_REFS = /&#(x0*(1b|9b|7|202[a-e]|206[6-9])|0*(27|155|7|82(3[4-8])|8294|8295|8296|8297));/i;

const H = 'A\u001b[31mRED\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007\u0007B\u009b31mC\u202eD\u2066E';
const q = (s: string) => JSON.stringify(s); // YAML double-quoted scalars take JSON's escapes

let dir = '';
let rules = '';
let pipeline = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsc-ctl-'));
  rules = join(dir, 'rules');
  mkdirSync(rules);
  const rule = (name: string, body: string[]) => writeFileSync(join(rules, name), body.join('\n') + '\n');
  rule('proc.yml', [
    `title: ${q(`Process ${H}`)}`,
    'id: 6a1b2c3d-0000-4000-8000-000000000001',
    'status: test',
    'logsource:',
    '    product: windows',
    '    category: process_creation',
    'detection:',
    '    selection:',
    `        Image|endswith: ${q(`\\x${H}.exe`)}`,
    `        CommandLine|contains: ${q(H)}`,
    '    condition: selection',
    'level: high',
  ]);
  rule('cat.yml', [
    `title: ${q(`Category ${H}`)}`,
    'id: 6a1b2c3d-0000-4000-8000-000000000002',
    'status: test',
    'logsource:',
    '    product: windows',
    `    category: ${q(`cat${H}`)}`,
    'detection:',
    '    selection:',
    '        EventID: 1',
    '    condition: selection',
    'level: low',
  ]);
  rule('chan.yml', [
    `title: ${q(`Channel ${H}`)}`,
    'id: 6a1b2c3d-0000-4000-8000-000000000003',
    'status: test',
    'logsource:',
    '    product: windows',
    '    category: hostile_channel',
    'detection:',
    '    selection:',
    '        EventID: 7',
    '    condition: selection',
    'level: low',
  ]);
  pipeline = join(dir, 'pipeline.yml');
  writeFileSync(
    pipeline,
    JSON.stringify({
      name: 'p',
      transformations: [
        {
          id: 'c',
          type: 'add_condition',
          conditions: { Channel: `Ch${H}/Operational` },
          rule_conditions: [{ type: 'logsource', product: 'windows', category: 'hostile_channel' }],
        },
      ],
    }),
  );
});

const run = (args: string[]) => {
  const r = runCli([rules, '--pipeline', pipeline, ...args]);
  expect(r.status, r.stderr).not.toBe(3);
  expect(r.stderr).not.toMatch(RAW);
  return r.stdout;
};

describe('no raw control character in any output', () => {
  it.each(['table', 'markdown', 'csv'])('%s report', (format) => {
    const out = run(['--format', format, '--verbose']);
    expect(out).toMatch(/Process A\uFFFD/);
    expect(out).not.toMatch(RAW);
  });

  it('CSV written to a file too', () => {
    const file = join(dir, 'r.csv');
    run(['--format', 'csv', '--output', file]);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/Process A\uFFFD/);
    expect(text).not.toMatch(RAW);
  });

  it.each(['json', 'sarif', 'navigator'])('%s report: escaped as \\uXXXX, the value parses back exactly', (format) => {
    const out = run(['--format', format]);
    expect(out).not.toMatch(RAW);
    const doc = JSON.parse(out) as unknown;
    // The data survives exactly: JSON.stringify leaves bidi raw, so the parsed text holds it again.
    if (format !== 'navigator') expect(JSON.stringify(doc)).toContain('B\u009b31mC\u202eD\u2066E');
    if (format === 'json') expect(out).toContain('\\u009b31mC\\u202eD\\u2066E');
    // No command to copy is offered for a channel whose name cmd.exe cannot take exactly inside quotes.
    if (format === 'json') expect(out).toMatch(/"id": "channel:ChA/);
    expect(out).not.toMatch(/wevtutil sl \\"ChA/);
  });

  it('html report: U+FFFD, never a reference that would still act', () => {
    const out = run(['--format', 'html']);
    expect(out).toMatch(/Process A\uFFFD\[31mRED/);
    expect(out).not.toMatch(RAW);
    expect(out).not.toMatch(HTML_REFS);
  });

  it('sysmon-config XML: the value stays exact as character references; ESC (not XML 1.0) is U+FFFD', () => {
    const out = runCli(['sysmon-config', rules, '--mode', 'targeted']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).not.toMatch(RAW);
    expect(out.stdout).toContain('B&#x009B;31mC&#x202E;D&#x2066;E');
  });

  // collector-config takes its channels from the catalog (it does not apply --pipeline), so the generator is
  // given a hostile channel directly. XML 1.0 cannot hold ESC or BEL at all: C1, bidi, & and < only.
  it.each(['querylist', 'wef', 'nxlog', 'winlogbeat', 'dcr', 'elastic-agent'] as const)(
    'collector-config %s: escaped, and re-read to the exact channel',
    (format) => {
      const catalog = loadCatalog();
      const x = 'B\u009b31mC\u202eD\u2066E&<';
      const needs = new Map(
        [`Ch${x}/Operational`, `All${x}`].map((channel, i) => [channel.toLowerCase(), { channel, ids: i ? ALL : ([[7, 7]] as [number, number][]) }]),
      );
      const text = generateCollectorConfig(needs, catalog, format);
      expect(text).not.toMatch(RAW);
      expect(text).toMatch(['winlogbeat', 'dcr', 'elastic-agent'].includes(format) ? /\\u009b31mC\\u202eD\\u2066E/ : /&#x009B;31mC&#x202E;D&#x2066;E&amp;&lt;/);
      expect(roundTrip(text, format, needs, catalog)).toEqual([]);
      const cli = runCli(['collector-config', rules, '--pipeline', pipeline, '--format', format]);
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stdout + cli.stderr).not.toMatch(RAW);
    },
  );

  it('fix: the .cmd, .reg, .ps1 and README files and the notes on the terminal', () => {
    const out = join(dir, 'fix');
    const r = runCli(['fix', rules, '--pipeline', pipeline, '--gpresult', 'test/fixtures/environment/gpresult-utf16le-multi-gpo.xml', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    for (const name of readdirSync(out)) {
      const b = readFileSync(join(out, name));
      const text = b[0] === 0xff ? b.subarray(2).toString('utf16le') : b.toString('utf8').replace(/^\uFEFF/, '');
      for (const line of text.split('\r\n')) expect(line, name).not.toMatch(RAW);
    }
  });
});
