/** Every JSON report the CLI writes validates against the published schema (docs/report.schema.json), with ajv. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs/report.schema.json'), 'utf8')) as object;
// ajv is CommonJS: under NodeNext its class is the module's default export's default.
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const validate = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown[] | null } })({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
}).compile(schema);
const FX = 'test/fixtures';

const runs: [string, string[]][] = [
  ['requirements only', ['examples/rules']],
  ['one gpresult', ['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml']],
  ['a fleet with --role and --assume-defaults', ['examples/rules', '--gpresult', `${FX}/environment`, '--role', 'DC01=dc', '--assume-defaults']],
  [
    'Sysmon and collectors',
    [
      'examples/rules',
      '--sysmon',
      `${FX}/sysmon/include-only.xml`,
      '--collector',
      `${FX}/collectors/wef-account-logons.xml`,
      '--gpresult',
      'examples/hosts/ws-0142-gpresult.xml',
    ],
  ],
  ['host snapshots', ['examples/rules', '--host', `${FX}/snapshot`]],
  ['rules in the wild with a pipeline', [`${FX}/wild`, '--pipeline', 'examples/mappings/pipeline.yml']],
  [
    'evidence with a host (--observed)',
    [`${FX}/observed/rules`, '--gpresult', `${FX}/environment/gpresult-utf16le-multi-gpo.xml`, '--observed', `${FX}/observed/splunk-stats-ws0142.csv`],
  ],
  ['evidence over a fleet', ['examples/rules', '--gpresult', `${FX}/environment`, '--observed', `${FX}/observed`]],
  ['evidence alone', ['examples/rules', '--observed', `${FX}/observed/es-terms.json`]],
  [
    'measured cost and retention (--observed with sizes, --rank value)',
    [`${FX}/fixbudget/rules`, '--host', `${FX}/fixbudget/hosts/DC02`, '--observed', `${FX}/measured/splunk-security-bytes.csv`, '--rank', 'value'],
  ],
];

describe('JSON report schema', () => {
  it.each(runs)('%s', (_name, args) => {
    const r = runCli([...args, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const ok = validate(JSON.parse(r.stdout));
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
  });
  it('fix --report: the report with the projected readiness of both plans (readiness.plans)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-schema-fix-'));
    const r = runCli([
      'fix',
      'examples/rules',
      '--host',
      `${FX}/snapshot`,
      '--assume-defaults',
      '--out',
      join(dir, 'out'),
      '--report',
      join(dir, 'plans.json'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(dir, 'plans.json'), 'utf8'));
    expect(j.readiness.plans.hosts.length).toBeGreaterThan(1);
    expect(validate(j), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    j.readiness.plans.builtin.extra = 1;
    expect(validate(j)).toBe(false);
  });
  it('the schema rejects what it should (a verdict it does not know)', () => {
    const j = JSON.parse(runCli(['examples/rules', '--gpresult', 'examples/hosts/ws-0142-gpresult.xml', '--format', 'json']).stdout);
    j.rules[1].verdict = 'probably';
    expect(validate(j)).toBe(false);
  });
});
