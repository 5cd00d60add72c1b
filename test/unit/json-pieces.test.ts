/**
 * The JSON report is written in pieces (src/report/json.ts) so that a fleet's report is never held whole;
 * the pieces must make exactly the text JSON.stringify(result, null, 2) makes. Compared here on results
 * with no host, one host and a fleet (the example rules and the environment fixtures), and on values
 * JSON.stringify treats specially (undefined members, empty lists and objects, strings with line breaks).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check.js';
import { jsonSafe } from '../../src/escape.js';
import { piecemeal, renderJson } from '../../src/report/json.js';
import type { CheckResult } from '../../src/result/result.js';

const at = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
// The report escapes what JSON.stringify leaves raw (C1, DEL, bidi: src/encode.ts jsonSafe); the pieces must match that.
const reference = (r: unknown) => `${jsonSafe(JSON.stringify(r, null, 2))}\n`;

describe('JSON report in pieces', () => {
  it('is JSON.stringify byte for byte: no host, one host, a fleet with Sysmon', async () => {
    const rules = [at('examples/rules')];
    const env = at('test/fixtures/environment');
    const runs = [
      await runCheck(rules),
      await runCheck(rules, { environment: { gpresult: [at('examples/hosts/ws-0142-gpresult.xml')] } }),
      await runCheck(rules, {
        environment: { gpresult: [env], host: [at('test/fixtures/snapshot')], sysmon: [at('test/fixtures/snapshot/DC01/sysmon-config.xml')] },
      }),
    ];
    expect(runs[2]?.result.readiness?.hosts.length).toBeGreaterThan(5);
    for (const { result } of runs) {
      expect(renderJson(result) === reference(result)).toBe(true);
      expect(piecemeal(result) === reference(result)).toBe(true);
    }
  });

  it('treats undefined, empty and multi-line values as JSON.stringify does', () => {
    const odd = {
      schemaVersion: 1,
      a: undefined,
      rules: [{ x: 'line\nbreak', y: undefined, z: [] }, {}, [], undefined],
      readiness: { hosts: [], other: { q: [1, { r: undefined }] } },
      empty: {},
      list: [],
    } as unknown as CheckResult;
    expect(piecemeal(odd)).toBe(reference(odd));
    // Raw C1 CSI and bidi controls in keys and values: escaped as \uXXXX in both ways of writing, and the text parses back to the same value.
    const hostile = {
      rules: [{ title: 'a\u009b31mb\u202ec', 'k\u2066': 'd\u001b[31m\u0007' }],
      readiness: { hosts: [{ name: 'h\u200f' }] },
    } as unknown as CheckResult;
    expect(piecemeal(hostile)).toBe(reference(hostile));
    expect(renderJson(hostile)).toBe(reference(hostile));
    expect(piecemeal(hostile)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/u);
    expect(piecemeal(hostile)).toContain('a\\u009b31mb\\u202ec');
    expect(JSON.parse(piecemeal(hostile))).toEqual(hostile);
    const bare = { rules: [], readiness: {} } as unknown as CheckResult;
    expect(piecemeal(bare)).toBe(reference(bare));
  });
});
