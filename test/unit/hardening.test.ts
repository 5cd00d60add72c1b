/**
 * Bad input of every kind: each parser returns, or throws one Error with a message, and never hangs or
 * expands what it should not. The CLI turns those errors into one line per file (tested in cli*.test.ts).
 */
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { decodeText } from '../../src/io/decode.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { readCollector, type CollectorFormat } from '../../src/environment/collectors.js';
import { parseGpresult } from '../../src/environment/gpresult.js';
import { evaluateXPath } from '../../src/environment/querylist.js';
import { parseSysmonConfig } from '../../src/environment/sysmon.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { runCli } from '../helpers.js';

const catalog = loadCatalog();
const RUNS = { numRuns: 150 };

/** Returns normally or throws an Error with a non-empty message: never anything else. */
function clean(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message.length).toBeGreaterThan(0);
  }
}

const ruleText = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc
    .constantFrom('title: x\nlogsource: {product: windows}\ndetection:\n  s: {EventID: 1}\n', '---\n---\n', '&a [*a]\n', 'detection: !!binary AAA\n')
    .chain((base) => fc.string({ maxLength: 40 }).map((tail) => base + tail)),
);

describe('property: parsers survive arbitrary input', () => {
  it('rule files never throw: problems become file errors', () => {
    fc.assert(
      fc.property(ruleText, (t) => {
        const out = parseRuleFile('fuzz.yml', t);
        for (const e of out.errors) expect(e.message.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
  it('bytes of any kind decode to text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void decodeText(b)),
      RUNS,
    );
  });
  const xmlish = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc
      .constantFrom('<Rsop>', '<Sysmon schemaversion="4.50"><EventFiltering>', '<QueryList><Query Path="Security"><Select>', '<Subscription><Query><![CDATA[')
      .chain((b) => fc.string({ maxLength: 80 }).map((t) => b + t)),
  );
  it('gpresult, Sysmon and collector readers: a result or one Error', () => {
    fc.assert(
      fc.property(xmlish, (t) => {
        clean(() => parseGpresult(t, catalog));
        clean(() => parseSysmonConfig('fuzz.xml', t, catalog));
        for (const format of ['wef', 'querylist', 'nxlog', 'winlogbeat', 'dcr', 'elastic-agent'] as CollectorFormat[])
          clean(() => readCollector('fuzz', t, format, new Map(), catalog));
      }),
      RUNS,
    );
  });
  it('auditpol CSV and XPath: a result or one Error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (t) => {
        clean(() => parseAuditpol(t, catalog));
        clean(() => evaluateXPath(t));
      }),
      RUNS,
    );
  });
});

describe('nasty inputs', () => {
  it('YAML alias bombs are refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const t0 = Date.now();
    const out = parseRuleFile('bomb.yml', lines.join('\n') + '\n');
    expect(out.errors[0]!.message).toMatch(/YAML error/);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it('deep nesting is one clear error', () => {
    const deep = `title: x\nlogsource: {product: windows}\ndetection:\n  s: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(parseRuleFile('deep.yml', deep).errors[0]!.message).toMatch(/YAML error/);
    expect(() => parseSysmonConfig('deep.xml', `<Sysmon schemaversion="4.50">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</Sysmon>`, catalog)).toThrow(Error);
  });
  it('DOCTYPE entities are never expanded, and external ones are refused (never fetched)', () => {
    const internal = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<Sysmon schemaversion="4.50"><EventFiltering><ProcessCreate onmatch="include"><Image condition="is">&lol2;</Image></ProcessCreate></EventFiltering></Sysmon>`;
    expect(parseSysmonConfig('dtd.xml', internal, catalog).elements.get('ProcessCreate')!.include[0]!.conditions[0]!.value).toBe('&lol2;');
    const external = internal.replace('<!ENTITY lol "lol">', '<!ENTITY lol SYSTEM "http://example.invalid/x">');
    expect(() => parseSysmonConfig('ext.xml', external, catalog)).toThrow(/External entities are not supported/);
  });
  it('absurd numbers are not event IDs', () => {
    const r = parseRuleFile(
      'n.yml',
      'title: x\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: [99999999999999999999999, -4, 70000, 4624]}\n  condition: s\n',
    ).rules[0] as SigmaRule;
    expect(r.facts.eventIds).toEqual([4624]);
    expect(r.facts.warnings.length).toBe(3);
  });
  it('a 100 MB file is refused before it is read; the other files are still processed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-big-'));
    writeFileSync(join(dir, 'huge.yml'), '');
    truncateSync(join(dir, 'huge.yml'), 100 * 1048576); // sparse: instant, no 100 MB written
    writeFileSync(join(dir, 'ok.yml'), 'title: ok\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}\n');
    const r = runCli([dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/huge.yml: file is 100.0 MB or more, more than the 8 MB such a file may be \(limit\); skipped/);
    expect(r.stdout).toMatch(/1 rules scanned/);
    const env = runCli([join(dir, 'ok.yml'), '--gpresult', join(dir, 'huge.yml')]);
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/huge.yml: file is 100.0 MB or more, more than the 64 MB/);
  });

  it('Latin-1 and invalid UTF-8 decode without throwing', () => {
    expect(decodeText(Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x3a, 0x20, 0xe9, 0xff, 0xfe, 0x0a]))).toContain('title:');
  });
});
