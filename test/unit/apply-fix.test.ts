/**
 * Every remediation file is checked by applying it to its inputs: the host as the fix leaves it is assessed
 * again, and nothing that was on may turn off, nor may readiness fall. Applying follows Windows:
 *  - audit.csv is imported into a GPO: a GPO's advanced audit policy replaces the whole policy (subcategories it
 *    does not name end at No Auditing), and with SCENoApplyLegacyAuditPolicy the legacy categories stop counting;
 *  - enable-audit.cmd (auditpol /set … :enable) only turns on the outcomes it names;
 *  - logging-policies.reg sets the policy values it carries, event log MaxSize included (the policy is in force over
 *    a log's local size);
 *  - enable-channels.cmd's `wevtutil sl <log> /ms:<bytes>` sets the local size (no effect where the policy sets
 *    it), on the host its %COMPUTERNAME% guard names;
 *  - intune-audit-policy.csv (hosts without a domain GPO) is an MDM profile: each Audit Policy CSP row replaces
 *    that subcategory's setting and leaves the others as they are.
 * Log sizes are checked too: no log may end smaller, and no log-size warning may be left.
 */
import { readdirSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/assess/assess.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { runCheck, type CheckRun } from '../../src/check.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { loadEnvironment, type EnvironmentInputs } from '../../src/environment/load.js';
import { hostKey, type HostEnvironment } from '../../src/environment/model.js';
import { buildRemediation, type RemediationFile } from '../../src/generate/remediation.js';
import { withReadiness } from '../../src/result/readiness.js';
import { corpusOrSkip, CORPUS, ROOT } from '../helpers.js';

const catalog = loadCatalog();
const FX = join(ROOT, 'test/fixtures/environment');
const LOGS = join(ROOT, 'test/fixtures/logsize');

/** The host as it is once the files are applied. */
function apply(host: HostEnvironment, files: RemediationFile[], cat: Catalog): HostEnvironment {
  const next: HostEnvironment = {
    ...host,
    audit: new Map(host.audit),
    policies: new Map(host.policies),
    eventLogs: new Map(host.eventLogs),
    covers: { ...host.covers },
  };
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
      next.audit.set(m[1]!, {
        success: cur?.success || m[2]!.includes('/success:enable') ? true : cur?.success,
        failure: cur?.failure || m[2]!.includes('/failure:enable') ? true : cur?.failure,
        source: 'applied enable-audit.cmd',
      });
    }
  }
  const channels = files.find((f) => f.name === 'enable-channels.cmd')?.content.toString('utf8') ?? '';
  for (const m of channels.matchAll(/^(?:if \/i "%COMPUTERNAME%"=="([^"]*)" )?wevtutil sl "([^"]+)" \/ms:(\d+)\r?$/gm)) {
    if (m[1] !== undefined && m[1] !== hostKey(host.name)) continue;
    const cur = next.eventLogs.get(m[2]!);
    // The administrative-template policy wins over the local size wevtutil sets.
    if (cur?.source.endsWith('(administrative template)')) continue;
    next.eventLogs.set(m[2]!, { log: m[2]!, maxSizeKB: Number(m[3]) / 1024, retention: cur?.retention, source: 'applied enable-channels.cmd (in force)' });
  }
  const reg = files.find((f) => f.name === 'logging-policies.reg');
  if (reg) {
    const text = reg.content.subarray(2).toString('utf16le');
    for (const p of cat.policies) {
      if (p.registry.length && p.registry.every((r) => text.includes(`"${r.value}"=`)))
        next.policies.set(p.id, { state: 'on', source: 'applied logging-policies.reg' });
    }
    for (const m of text.matchAll(
      /^\[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\([^\]]+)\]\r\n"MaxSize"=dword:([0-9a-f]{8})\r?$/gm,
    )) {
      next.eventLogs.set(m[1]!, {
        log: m[1]!,
        maxSizeKB: parseInt(m[2]!, 16),
        retention: next.eventLogs.get(m[1]!)?.retention,
        source: 'applied logging-policies.reg (administrative template)',
      });
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
    for (const [log, v] of env.hosts[i]!.eventLogs) {
      const now = hostsAfter[i]!.eventLogs.get(log)?.maxSizeKB;
      if (v.maxSizeKB !== undefined && (now === undefined || now < v.maxSizeKB)) lost.push(`${h.name}: ${log} log shrank ${v.maxSizeKB} → ${now} KB`);
    }
    for (const w of a2.hosts[i]!.warnings) if (/ log is capped at /.test(w)) lost.push(`${h.name}: still warned: ${w}`);
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
  ['SRV-LOGS1: Security below (in force), System far above', { host: [join(LOGS, 'SRV-LOGS1')] }],
  ['SRV-LOGS2: Security below (policy), System far above', { host: [join(LOGS, 'SRV-LOGS2')] }],
  ['fleet of both log-size hosts', { host: [LOGS] }],
  ['fleet: log-size host + snapshot whose logs are all large enough', { host: [join(LOGS, 'SRV-LOGS1'), join(ROOT, 'test/fixtures/snapshot/DC01')] }],
];

describe('applying the fix never weakens a host', async () => {
  const examples = await runCheck([join(ROOT, 'examples/rules')], { cacheDir: false, workers: false });
  it.each(cases)('examples/rules × %s', (_name, inputs) => {
    const { lost } = regressions(examples, inputs);
    expect(lost).toEqual([]);
  });

  it('the legacy-only DC: audit.csv keeps every subcategory legacy categories turn on today, plus the missing ones', () => {
    const { lost, files, before, after } = regressions(examples, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] });
    expect(lost).toEqual([]);
    const csv = files.find((f) => f.name === 'audit.csv')!.content.toString();
    for (const name of ['Audit Process Creation', 'Audit Logon', 'Audit Kerberos Authentication Service', 'Audit User Account Management'])
      expect(csv).toContain(`,System,${name},`);
    expect(files.map((f) => f.name)).toContain('audit-force-subcategories.reg');
    expect(after.hosts[0]!.summary.ready).toBeGreaterThanOrEqual(before.hosts[0]!.summary.ready);
  });

  it('a workgroup host (MDM, no GPO to import audit.csv into): intune-audit-policy.csv applied as an MDM profile applies it weakens nothing', async () => {
    // An Audit Policy CSP value replaces that one subcategory's setting; subcategories without a row stay as they are.
    const inputs = { host: [join(ROOT, 'test/fixtures/fixbudget/hosts/WS-LAB07')] };
    const run = await runCheck([join(ROOT, 'examples/rules'), join(ROOT, 'test/fixtures/fixbudget/rules')], { cacheDir: false, workers: false });
    const env = loadEnvironment(inputs, catalog);
    const before = withReadiness(run.result, assess(run.result, env.hosts, catalog, run.load.rules), catalog);
    const { files } = buildRemediation(before, catalog, env.hosts, run.load.rules);
    const intune = files.find((f) => f.name === 'intune-audit-policy.csv');
    expect(intune, files.map((f) => f.name).join(', ')).toBeDefined();
    const rows = parseCsv<Record<string, string>>(intune!.content.toString('utf8'), { columns: true });
    const byNode = new Map(catalog.subcategories.map((sub) => [`./Device/Vendor/MSFT/Policy/Config/Audit/${sub.csp}`, sub]));
    const host = env.hosts[0]!;
    const after: HostEnvironment = { ...host, audit: new Map(host.audit) };
    for (const row of rows) {
      const sub = byNode.get(row['OMA-URI'] ?? '');
      expect(sub, `row without a known node: ${JSON.stringify(row)}`).toBeDefined();
      const v = Number(row['Value']);
      after.audit.set(sub!.guid, { success: (v & 1) === 1, failure: (v & 2) === 2, source: 'applied intune-audit-policy.csv (MDM)' });
    }
    const a1 = assess(run.result, [host], catalog, run.load.rules).hosts[0]!;
    const a2 = assess(run.result, [after], catalog, run.load.rules).hosts[0]!;
    const lost = [...a1.states].filter(([id, st]) => st.state === 'on' && a2.states.get(id)?.state !== 'on').map(([id]) => id);
    expect(lost).toEqual([]);
    expect(a2.summary.ready).toBeGreaterThan(a1.summary.ready);
  });

  it('the check can fail: an audit.csv of only the missing subcategories turns Process Creation off on that DC', () => {
    const onlyMissing = (files: RemediationFile[]) =>
      files.map((f) => {
        if (f.name !== 'audit.csv') return f;
        const cmd = files.find((x) => x.name === 'enable-audit.cmd')!.content.toString();
        const needed = new Set([...cmd.matchAll(/subcategory:(\{[0-9A-F-]+\})/g)].map((m) => m[1]!.toLowerCase()));
        const lines = f.content
          .toString()
          .split('\r\n')
          .filter((l, i) => i === 0 || [...needed].some((g) => l.includes(g)));
        return { ...f, content: Buffer.from(lines.join('\r\n')) };
      });
    const { lost } = regressions(examples, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] }, onlyMissing);
    expect(lost.join('\n')).toMatch(/audit:\{0CCE922B-69AE-11D9-BED3-505054503030\}:success/);
  });

  it('every log-size warning has its line in the fix files; a log already large enough is not named', () => {
    for (const [name, inputs] of cases) {
      const run = regressions(examples, inputs);
      const cmd = run.files.find((f) => f.name === 'enable-channels.cmd')?.content.toString('utf8') ?? '';
      const reg =
        run.files
          .find((f) => f.name === 'logging-policies.reg')
          ?.content.subarray(2)
          .toString('utf16le') ?? '';
      for (const h of run.before.hosts) {
        for (const w of h.warnings) {
          const log = / log is capped at /.test(w) ? w.split(' ')[0]! : undefined;
          if (!log) continue;
          const guard = run.before.hosts.length > 1 ? `if /i "%COMPUTERNAME%"=="${hostKey(h.name)}" ` : '';
          expect(cmd, `${name}: ${w}`).toContain(`${guard}wevtutil sl "${log}" /ms:`);
          expect(cmd).toMatch(new RegExp(`rem ${log} log on ${h.name}: capped at .*recommended \\d+ KB \\^\\(https://`));
        }
      }
      if (/SRV-LOGS/.test(name)) {
        expect(cmd + reg, name).not.toMatch(/\bSystem\b/);
        expect(cmd + reg, name).not.toMatch(/Retention|\/rt:/);
      }
    }
    const one = regressions(examples, { host: [join(LOGS, 'SRV-LOGS2')] });
    // A size set by the policy can only be raised by the policy: the .reg carries it.
    expect(
      one.files
        .find((f) => f.name === 'logging-policies.reg')!
        .content.subarray(2)
        .toString('utf16le'),
    ).toContain('EventLog\\Security]\r\n"MaxSize"=dword:00030000');
    // A size from gpresult's Security Settings says nothing of the policy, which may be larger: no .reg line.
    const dc = regressions(examples, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] });
    expect(
      dc.files
        .find((f) => f.name === 'logging-policies.reg')
        ?.content.subarray(2)
        .toString('utf16le') ?? '',
    ).not.toContain('EventLog\\Security');
    expect(dc.files.find((f) => f.name === 'enable-channels.cmd')!.content.toString()).toMatch(/a GPO sets this size/);
  });

  it('the check can fail: a wevtutil line that caps a large log lower is caught', () => {
    const lower = (files: RemediationFile[]) => [
      ...files.filter((f) => f.name !== 'enable-channels.cmd'),
      { name: 'enable-channels.cmd', content: Buffer.from('wevtutil sl "System" /ms:1048576\r\n'), settings: 1 },
    ];
    const { lost } = regressions(examples, { host: [join(LOGS, 'SRV-LOGS1')] }, lower);
    expect(lost.join('\n')).toMatch(/System log shrank 1048576 → 1024 KB/);
    expect(lost.join('\n')).toMatch(/still warned: System log is capped at 1024 KB/);
  });

  it.runIf(corpusOrSkip('apply-the-fix over the SigmaHQ corpus'))(
    'SigmaHQ rules/windows × every fixture',
    async () => {
      const corpus = await runCheck([join(CORPUS, 'sigmahq/rules/windows')], { cacheDir: false });
      for (const [name, inputs] of cases) expect(regressions(corpus, inputs).lost, name).toEqual([]);
      const dc = regressions(corpus, { gpresult: [join(FX, 'gpresult-dc-legacy-only.xml')] });
      expect(dc.lost).toEqual([]);
      expect(dc.after.hosts[0]!.summary.ready).toBeGreaterThan(dc.before.hosts[0]!.summary.ready);
    },
    120_000,
  );
});
