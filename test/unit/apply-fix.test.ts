/**
 * Every remediation file is checked by applying it to its inputs: the host as the fix leaves it is assessed
 * again, and nothing that was on may turn off, nor may readiness fall. Applying follows Windows:
 *  - audit.csv is imported into a GPO: a GPO's advanced audit policy replaces the whole policy (subcategories it
 *    does not name end at No Auditing), and with SCENoApplyLegacyAuditPolicy the legacy categories stop counting;
 *  - enable-audit.cmd (auditpol /set … :enable) only turns on the outcomes it names;
 *  - logging-policies.reg sets the policy values it carries.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/assess/assess.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCheck, type CheckRun } from '../../src/check.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { loadEnvironment, type EnvironmentInputs } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { buildRemediation, type RemediationFile } from '../../src/generate/remediation.js';
import { withReadiness } from '../../src/report/readiness.js';
import { corpusOrSkip, CORPUS, ROOT } from '../helpers.js';

const catalog = loadCatalog();
const FX = join(ROOT, 'test/fixtures/environment');

/** The host as it is once the files are applied. */
function apply(host: HostEnvironment, files: RemediationFile[], cat: Catalog): HostEnvironment {
  const next: HostEnvironment = { ...host, audit: new Map(host.audit), policies: new Map(host.policies), covers: { ...host.covers } };
  const csv = files.find((f) => f.name === 'audit.csv' || f.name === `audit-${host.name.replace(/[^A-Za-z0-9._-]/g, '_')}.csv`);
  if (csv) {
    const parsed = parseAuditpol(csv.content.toString('utf8'), cat);
    for (const sub of cat.subcategories) {
      const v = parsed.values.get(sub.guid) ?? 0;
      next.audit.set(sub.guid, { success: (v & 1) === 1, failure: (v & 2) === 2, source: 'applied audit.csv (GPO)' });
    }
    next.covers.audit = true;
  } else {
    const cmd = files.find((f) => f.name === 'enable-audit.cmd')?.content.toString('utf8') ?? '';
    for (const m of cmd.matchAll(/^auditpol \/set \/subcategory:(\{[0-9A-F-]+\})((?: \/\w+:enable)+)\r?$/gm)) {
      const cur = next.audit.get(m[1]!);
      next.audit.set(m[1]!, { success: cur?.success || m[2]!.includes('/success:enable') ? true : cur?.success, failure: cur?.failure || m[2]!.includes('/failure:enable') ? true : cur?.failure, source: 'applied enable-audit.cmd' });
    }
  }
  const reg = files.find((f) => f.name === 'logging-policies.reg');
  if (reg) {
    const text = reg.content.subarray(2).toString('utf16le');
    for (const p of cat.policies) {
      if (p.registry.length && p.registry.every((r) => text.includes(`"${r.value}"=`))) next.policies.set(p.id, { state: 'on', source: 'applied logging-policies.reg' });
    }
  }
  return next;
}

/** Requirements on before and not after, and readiness before/after, per host. */
function regressions(run: CheckRun, inputs: EnvironmentInputs, naive?: (files: RemediationFile[]) => RemediationFile[]) {
  const env = loadEnvironment(inputs, catalog);
  expect(env.errors).toEqual([]);
  const before = withReadiness(run.result, assess(run.result, env.hosts, catalog, run.load.rules), catalog);
  let { files } = buildRemediation(before, catalog, env.hosts, run.load.rules);
  if (naive) files = naive(files);
  const hostsAfter = env.hosts.map((h) => apply(h, files, catalog));
  const a1 = assess(run.result, env.hosts, catalog, run.load.rules);
  const a2 = assess(run.result, hostsAfter, catalog, run.load.rules);
  const lost: string[] = [];
  a1.hosts.forEach((h, i) => {
    for (const [id, st] of h.states) if (st.state === 'on' && a2.hosts[i]!.states.get(id)?.state !== 'on') lost.push(`${h.name}: ${id}`);
    if ((a2.hosts[i]!.summary.ready ?? 0) < h.summary.ready) lost.push(`${h.name}: readiness fell ${h.summary.ready} → ${a2.hosts[i]!.summary.ready}`);
  });
  return { lost, files, before: a1, after: a2 };
}

const gpresults = readdirSync(FX).filter((f) => /^gpresult-.*\.xml$/.test(f) && !/truncated|no-computer/.test(f));
const cases: [string, EnvironmentInputs][] = [
  ...gpresults.map((f): [string, EnvironmentInputs] => [f, { gpresult: [join(FX, f)] }]),
  ['auditpol-win10-default.csv', { auditpol: [join(FX, 'auditpol-win10-default.csv')] }],
  ['gpo-backup-audit.csv', { auditpol: [join(FX, 'gpo-backup-audit.csv')] }],
  ['gpresult + GPO audit.csv', { gpresult: [join(FX, 'gpresult-utf16le-multi-gpo.xml')], auditpol: [join(FX, 'gpo-backup-audit.csv')] }],
  ['fleet of gpresult files', { gpresult: gpresults.map((f) => join(FX, f)) }],
];

describe('applying the fix never weakens a host', async () => {
  const examples = await runCheck([join(ROOT, 'examples/rules')], { cacheDir: false, workers: false });
  it.each(cases)('examples/rules × %s', (_name, inputs) => {
    const { lost } = regressions(examples, inputs);
    expect(lost).toEqual([]);
  });

  it('the legacy-only DC: audit.csv keeps every subcategory legacy categories turn on today, plus the missing ones', async () => {
    const { lost, files, before, after } = regressions(examples, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] });
    expect(lost).toEqual([]);
    const csv = files.find((f) => f.name === 'audit.csv')!.content.toString();
    for (const name of ['Audit Process Creation', 'Audit Logon', 'Audit Kerberos Authentication Service', 'Audit User Account Management']) expect(csv).toContain(`,System,${name},`);
    expect(files.map((f) => f.name)).toContain('audit-force-subcategories.reg');
    expect(after.hosts[0]!.summary.ready).toBeGreaterThanOrEqual(before.hosts[0]!.summary.ready);
  });

  it('the check can fail: an audit.csv of only the missing subcategories turns Process Creation off on that DC', () => {
    const onlyMissing = (files: RemediationFile[]) =>
      files.map((f) => {
        if (f.name !== 'audit.csv') return f;
        const cmd = files.find((x) => x.name === 'enable-audit.cmd')!.content.toString();
        const needed = new Set([...cmd.matchAll(/subcategory:(\{[0-9A-F-]+\})/g)].map((m) => m[1]!.toLowerCase()));
        const lines = f.content.toString().split('\r\n').filter((l, i) => i === 0 || [...needed].some((g) => l.includes(g)));
        return { ...f, content: Buffer.from(lines.join('\r\n')) };
      });
    const { lost } = regressions(examples, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] }, onlyMissing);
    expect(lost.join('\n')).toMatch(/audit:\{0CCE922B-69AE-11D9-BED3-505054503030\}:success/);
  });

  it.runIf(corpusOrSkip('apply-the-fix over the SigmaHQ corpus'))('SigmaHQ rules/windows × every fixture', async () => {
    const corpus = await runCheck([join(CORPUS, 'sigmahq/rules/windows')], { cacheDir: false });
    for (const [name, inputs] of cases) expect(regressions(corpus, inputs).lost, name).toEqual([]);
    const dc = regressions(corpus, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] });
    expect(dc.lost).toEqual([]);
    expect(dc.after.hosts[0]!.summary.ready).toBeGreaterThan(dc.before.hosts[0]!.summary.ready);
  }, 120_000);
});
