/**
 * Applications as roles (data/channels.yaml products): rules that read only a product's providers (SQL Server,
 * ScreenConnect) need the product; unknown until an input shows it, not-applicable when a complete input
 * (--role states every role) shows it absent. Rules on MsiInstaller (the Atera agent install) are not bound.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { productRoles } from '../../src/requirements/products.js';
import { resolveRule } from '../../src/requirements/resolve.js';
import { parseRuleFile } from '../../src/rules/parse.js';
import type { SigmaRule } from '../../src/rules/model.js';
import { CORPUS, corpusOrSkip, ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
function rule(detection: string): SigmaRule {
  const { rules, errors } = parseRuleFile('t.yml', `title: t\nlogsource: {product: windows, service: application}\ndetection:\n${detection}\n`);
  if (errors.length) throw new Error(errors[0]!.message);
  return rules[0] as SigmaRule;
}

describe('product-bound rules', () => {
  it('the provider names the product: MSSQL… (equality, contains, a named instance), ScreenConnect, MSExchange …', () => {
    expect(productRoles(rule('  s: {Provider_Name|contains: MSSQL, EventID: 18456}\n  condition: s'), catalog)).toEqual(['sql-server']);
    expect(productRoles(rule("  s: {Provider_Name: 'MSSQL$SQLEXPRESS', EventID: 18456}\n  condition: s"), catalog)).toEqual(['sql-server']);
    expect(productRoles(rule("  s: {Provider_Name: 'MSSQLSERVER$AUDIT', EventID: 33205}\n  condition: s"), catalog)).toEqual(['sql-server']);
    expect(productRoles(rule('  s: {Provider_Name: ScreenConnect, EventID: 200}\n  condition: s'), catalog)).toEqual(['screenconnect']);
    expect(productRoles(rule("  s: {Provider_Name: 'MSExchange Control Panel', Level: Error}\n  condition: s"), catalog)).toEqual(['exchange']);
  });
  it('not bound: another provider too, a provider of no product (MsiInstaller: the Atera install), no provider, a negated one', () => {
    expect(productRoles(rule("  s: {Provider_Name: [MSSQLSERVER, 'Application Error']}\n  condition: s"), catalog)).toEqual([]);
    expect(productRoles(rule('  s: {Provider_Name: MsiInstaller, Message|contains: AteraAgent}\n  condition: s'), catalog)).toEqual([]);
    expect(productRoles(rule('  s: {EventID: 18456}\n  condition: s'), catalog)).toEqual([]);
    expect(productRoles(rule('  s: {EventID: 1000}\n  f: {Provider_Name: MSSQLSERVER}\n  condition: s and not f'), catalog)).toEqual([]);
    // contains a fragment shorter than the product's prefix: it may match any provider
    expect(productRoles(rule('  s: {Provider_Name|contains: SQL}\n  condition: s'), catalog)).toEqual([]);
  });
  it('every alternative needs the role; the reason says so', () => {
    const res = resolveRule(rule('  s: {Provider_Name|contains: MSSQL, EventID: 18456}\n  condition: s'), catalog);
    expect(res.alternatives.length).toBeGreaterThan(0);
    for (const a of res.alternatives) expect(a.requires).toContain('role:sql-server');
    expect(res.notes.join()).toMatch(/only from sql-server/);
  });
});

describe('SigmaHQ product rules on a domain controller (real rules, DC01 snapshot)', () => {
  const app = join(CORPUS, 'sigmahq/rules/windows/builtin/application');
  const files = [
    'mssqlserver/win_mssql_failed_logon.yml',
    'screenconnect/win_app_remote_access_tools_screenconnect_command_exec.yml',
    'msiinstaller/win_software_atera_rmm_agent_install.yml',
  ].map((f) => join(app, f));
  const verdicts = (extra: string[]) => {
    const run = runCli(['check', ...files, '--host', join(ROOT, 'test/fixtures/snapshot/DC01'), ...extra, '-f', 'json']);
    expect(run.status).toBe(0);
    return (JSON.parse(run.stdout) as { rules: { verdict: string; why: string }[] }).rules;
  };
  it.runIf(corpusOrSkip('product roles on DC01'))(
    'unknown without an input on the product, not-applicable with --role dc, ready with --role dc,sql-server',
    () => {
      const open = verdicts([]);
      expect(open.map((r) => r.verdict)).toEqual(['unknown', 'unknown', 'ready']);
      expect(open[0]?.why).toMatch(/--role sql-server/);
      expect(verdicts(['--role', 'dc']).map((r) => r.verdict)).toEqual(['not-applicable', 'not-applicable', 'ready']);
      expect(verdicts(['--role', 'dc,sql-server']).map((r) => r.verdict)).toEqual(['ready', 'not-applicable', 'ready']);
    },
  );
});
