/** `check --format dettect`: DeTT&CT data-source administration YAML, scored in assess/dettect.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assessDettect, score } from '../../src/assess/dettect.js';
import { loadAttackComponents } from '../../src/catalog/attack-components.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { renderDettect } from '../../src/report/dettect.js';
import type { CheckResult, RuleRow } from '../../src/result/result.js';
import { ROOT, runCli } from '../helpers.js';

const catalog = loadCatalog();
const components = loadAttackComponents(catalog);
const DETTECT_WINDOWS = new Set(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/dettect/windows-data-sources.json'), 'utf8')) as string[]);
const DIMENSIONS = ['device_completeness', 'data_field_completeness', 'timeliness', 'consistency', 'retention'];

/**
 * The checks DeTT&CT's health.py (rabobank-cdc/DeTTECT 7a0ac59) makes of a data-source administration file,
 * restated (test/fixtures/dettect/README.md): returns the problems, [] for a file DeTT&CT accepts.
 */
function dettectProblems(doc: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (doc['version'] !== 1.1) p.push(`version ${String(doc['version'])}`);
  if (doc['file_type'] !== 'data-source-administration') p.push('file_type');
  for (const k of ['name', 'domain']) if (typeof doc[k] !== 'string') p.push(`no ${k}`);
  const systems = doc['systems'] as { applicable_to: unknown; platform: unknown }[] | undefined;
  const known = new Set<string>();
  if (!Array.isArray(systems) || !systems.length) p.push('no systems');
  for (const s of systems ?? []) {
    const a = s.applicable_to;
    if (typeof a !== 'string' || !a || a.toLowerCase() === 'all' || known.has(a.toLowerCase())) p.push(`bad system ${String(a)}`);
    else known.add(a.toLowerCase());
    if (!Array.isArray(s.platform)) p.push('platform is not a list');
  }
  for (const ds of (doc['data_sources'] as Record<string, unknown>[]) ?? []) {
    const name = String(ds['data_source_name']);
    if (!Array.isArray(ds['data_source'])) p.push(`${name}: data_source is not a list`);
    for (const o of (ds['data_source'] as Record<string, unknown>[]) ?? []) {
      for (const k of ['applicable_to', 'date_registered', 'date_connected', 'products', 'available_for_data_analytics', 'comment', 'data_quality'])
        if (!(k in o)) p.push(`${name}: missing ${k}`);
      for (const k of ['applicable_to', 'products'])
        if (!Array.isArray(o[k]) || (o[k] as unknown[]).some((x) => x === null)) p.push(`${name}: ${k} not a list without empty values`);
      for (const k of ['date_registered', 'date_connected'])
        if (o[k] !== null && !(o[k] instanceof Date) && !/^\d{4}-\d{2}-\d{2}/.test(typeof o[k] === 'string' ? o[k] : (JSON.stringify(o[k]) ?? '')))
          p.push(`${name}: ${k}`);
      if (typeof o['available_for_data_analytics'] !== 'boolean') p.push(`${name}: available_for_data_analytics`);
      const q = o['data_quality'] as Record<string, unknown>;
      for (const d of DIMENSIONS) if (!Number.isInteger(q?.[d]) || (q[d] as number) < 0 || (q[d] as number) > 5) p.push(`${name}: ${d} ${String(q?.[d])}`);
      for (const a of (o['applicable_to'] as string[]) ?? [])
        if (a.toLowerCase() !== 'all' && !known.has(a.toLowerCase())) p.push(`${name}: applicable_to ${a} not in systems`);
    }
  }
  return p;
}

function rule(logsourceKey: string, more: Partial<RuleRow>): RuleRow {
  return {
    path: 'r.yml',
    kind: 'rule',
    title: 't',
    logsource: null,
    logsourceKey,
    techniques: [],
    eventIds: [],
    alternatives: [],
    origins: [],
    branches: [],
    supplementaryBranches: [],
    branchEvents: [],
    supplementaryBranchEvents: [],
    windows: true,
    supplementary: [],
    notes: [],
    ...more,
  };
}

function result(rules: RuleRow[], hosts: number, evidence = false): CheckResult {
  return {
    schemaVersion: 2,
    tool: { name: 'logsource-check', version: '9.9.9' },
    summary: { windowsRules: rules.length } as CheckResult['summary'],
    requirements: [],
    rules,
    errors: [],
    notes: [],
    readiness: { hosts: Array.from({ length: hosts }, (_, i) => ({ name: `H${i}` })) } as unknown as CheckResult['readiness'],
    ...(evidence ? { evidence: {} as CheckResult['evidence'] } : {}),
  };
}

const V = (ready: number, blocked: number, na = 0) => ({ ready, partial: 0, blocked, unknown: 0, 'not-applicable': na, 'out-of-scope': 0 });

describe('DeTT&CT scores', () => {
  it('score: 0 for none, one step per 20 %', () => {
    expect([0, 0.1, 20, 20.1, 40, 60, 80, 80.1, 100].map(score)).toEqual([0, 1, 1, 2, 2, 3, 4, 5, 5]);
  });

  it('device completeness is the ready share of rule × host pairs; not-applicable pairs do not count; consistency from evidence', () => {
    const rules = [
      rule('windows/category/process_creation', {
        verdicts: V(3, 1),
        evidenceStates: { observed: 3, 'observed-without-fields': 0, 'partly-observed': 0, silent: 1, 'observed-despite-config': 0, 'not-observed': 0 },
      }),
      rule('windows/category/process_creation', {
        verdicts: V(1, 1, 2),
        evidenceStates: { observed: 0, 'observed-without-fields': 0, 'partly-observed': 0, silent: 1, 'observed-despite-config': 0, 'not-observed': 1 },
      }),
      rule('windows/service/security', { verdicts: V(4, 0) }),
      rule('windows/category/process_creation', { unknownReason: 'x', verdicts: V(0, 0) }),
    ];
    const d = assessDettect(result(rules, 4, true), components, catalog);
    const pc = d.components.find((c) => c.name === 'Process Creation')!;
    expect(pc.rules).toBe(2);
    expect(pc.deviceCompleteness).toMatchObject({ percent: 66.7, score: 4 }); // 4 ready of 6 applicable pairs
    expect(pc.consistency).toMatchObject({ percent: 60, score: 3 }); // 3 observed of 5 judged
    expect(pc.timeliness).toMatchObject({ score: 0, percent: null });
    expect(pc.availableForAnalytics).toBe(true);
    expect(pc.products).toEqual(['Sysmon', 'Windows Security auditing']);
    expect(d.unmapped).toBe(1); // the Security log as a whole maps to no component
    // Without --observed nothing says the data arrived: consistency 0 with its reason, not available.
    const noEv = assessDettect(result(rules, 4), components, catalog).components.find((c) => c.name === 'Process Creation')!;
    expect(noEv.consistency.basis).toMatch(/no --observed input/);
    expect(noEv.availableForAnalytics).toBe(false);
  });

  it('one host: data field completeness is the share of ready rules not degraded', () => {
    const rules = [
      rule('windows/category/process_creation', { verdict: 'ready' }),
      rule('windows/category/process_creation', { verdict: 'ready', degraded: ['OriginalFileName'] }),
      rule('windows/category/process_creation', { verdict: 'blocked' }),
    ];
    const pc = assessDettect(result(rules, 1), components, catalog).components.find((c) => c.name === 'Process Creation')!;
    expect(pc.deviceCompleteness).toMatchObject({ percent: 66.7, score: 4 });
    expect(pc.dataFieldCompleteness).toMatchObject({ percent: 50, score: 3 });
  });

  it('a component DeTT&CT does not know is left out (Windows Registry Key Deletion)', () => {
    const d = assessDettect(result([rule('windows/category/registry_delete', { verdicts: V(1, 0) })], 1), components, catalog);
    expect(d.components).toEqual([]);
    expect(d.unmapped).toBe(1);
  });
});

describe('--format dettect', () => {
  it("a fleet: YAML that passes DeTT&CT's health checks, with names DeTT&CT knows", () => {
    const r = runCli(['examples/rules', '--gpresult', 'test/fixtures/environment', '--observed', 'test/fixtures/observed', '--format', 'dettect']);
    expect(r.status, r.stderr).toBe(0);
    const doc = parse(r.stdout) as Record<string, unknown>;
    expect(dettectProblems(doc)).toEqual([]);
    const names = (doc['data_sources'] as { data_source_name: string }[]).map((d) => d.data_source_name);
    expect(names).toContain('Process Creation');
    for (const n of names) expect(DETTECT_WINDOWS.has(n), n).toBe(true);
    // The check itself fails on what DeTT&CT refuses.
    const broken = structuredClone(doc) as { data_sources: { data_source: { data_quality: Record<string, unknown> }[] }[] };
    broken.data_sources[0]!.data_source[0]!.data_quality['timeliness'] = 7;
    expect(dettectProblems(broken as unknown as Record<string, unknown>)).toHaveLength(1);
  });

  it('the mapping names only components DeTT&CT knows, or marks them dettect: false', () => {
    for (const c of components.components) expect(DETTECT_WINDOWS.has(c.name) || !c.dettect, c.name).toBe(true);
  });

  it('the renderer writes what assess computed and neutralises control characters in free text', () => {
    const res = result([rule('windows/category/process_creation', { verdict: 'ready' })], 1);
    res.tool.version = '1\u001b]0;x\u0007';
    const doc = parse(renderDettect(res, assessDettect(res, components, catalog))) as {
      name: string;
      data_sources: { data_source: { data_quality: Record<string, number> }[] }[];
    };
    expect(doc.name).not.toMatch(/\u001b|\u0007/);
    expect(doc.data_sources[0]!.data_source[0]!.data_quality['device_completeness']).toBe(5);
  });

  it('without a host input it exits 2 and says which input settles it', () => {
    const r = runCli(['examples/rules', '--format', 'dettect']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--format dettect scores device completeness from host inputs/);
  });
});
