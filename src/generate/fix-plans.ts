/**
 * fix's engine: both plans ranked (plans.ts), the built-in plan's files (remediation.ts), the Sysmon plan's configs,
 * the readiness each reaches (projection.ts) put into the result, and the README.txt that explains them. The
 * projection is always made for both plans; --plan only chooses which files are written.
 */
import type { Assessment } from '../assess/assess.js';
import type { StateOptions } from '../assess/verdict.js';
import type { VolumeOptions } from '../assess/volume.js';
import type { Catalog } from '../catalog/catalog.js';
import type { VolumeClass } from '../catalog/volume.js';
import type { HostEnvironment } from '../environment/model.js';
import { textFile } from '../escape.js';
import type { Observations } from '../observe/model.js';
import type { CheckResult, PlanFigures, PlanProjection } from '../result/result.js';
import type { LoadedRule } from '../rules/model.js';
import { leftOutLine, settingName } from './fix-budget.js';
import { volumeLookup } from '../assess/volume.js';
import { settingNames } from '../assess/settings.js';
import { planReadme } from './plans-readme.js';
import { rankPlans, sysmonPlan, type PlanChoice } from './plans.js';
import { figures, project, projectBuiltin } from './projection.js';
import { buildRemediation, type RemediationFile } from './remediation.js';

export interface FixPlans {
  /** The files to write (per --plan), README.txt last. */
  files: RemediationFile[];
  /** The result with readiness.plans (the reports render it). */
  result: CheckResult;
  projection: PlanProjection;
  notes: string[];
  summary: string[];
  warnings: string[];
}

export interface FixPlanOptions {
  plan: PlanChoice;
  maxVolume: VolumeClass;
  vol: VolumeOptions;
  state: StateOptions;
  observed?: Observations;
}

export function fixPlans(
  result: CheckResult,
  assessment: Assessment,
  catalog: Catalog,
  hosts: HostEnvironment[],
  rules: LoadedRule[],
  o: FixPlanOptions,
): FixPlans {
  const ranked = rankPlans(assessment, result.rules, catalog, o.vol);
  const builtin = buildRemediation(result, catalog, hosts, rules, {
    observed: o.observed,
    perHost: assessment.hosts.map((h) => h.rules),
    ids: ranked.builtin,
    readme: false,
    budget: ranked.budget.builtin,
  });
  const sysmon = sysmonPlan(ranked.sysmon, result, rules, hosts, catalog);
  const kinds = hosts.map((h) => h.role?.kind);
  const sysmonCut = leftOutLine({ volumeBudget: ranked.budget.sysmon }, catalog, volumeLookup(catalog, kinds), hosts.length, 'Sysmon way');
  if (sysmonCut) sysmon.notes.unshift(`Sysmon plan: ${sysmonCut}`);
  const p = project(result, hosts, catalog, rules, o.state, o.vol, builtin.applied, sysmon.configFor);
  // What the budget costs the built-in plan (Audit Process Creation is rated high): the same plan ranked under
  // --max-volume high, projected too, so the user sees what each choice buys before choosing.
  let high: (PlanFigures & { settings: number }) | undefined;
  if (o.maxVolume !== 'high' && ranked.budget.builtin?.settingsAbove.length) {
    const vol = { ...o.vol, maxVolume: 'high' as const };
    const hi = rankPlans(assessment, result.rules, catalog, vol);
    const files = buildRemediation(result, catalog, hosts, rules, { perHost: assessment.hosts.map((h) => h.rules), ids: hi.builtin, readme: false });
    high = { ...figures(projectBuiltin(result, hosts, catalog, rules, o.state, vol, files.applied)), settings: settingCount(hi.builtin, catalog) };
  }
  const now = figures(assessment);
  const b = figures(p.builtin);
  const s = figures(p.sysmon);
  // Success and Failure of one subcategory are one setting to whoever applies the files; forward: is a note, not a file.
  const projection: PlanProjection = {
    maxVolume: o.maxVolume,
    now,
    builtin: { ...b, settings: settingCount(ranked.builtin, catalog), requires: ranked.builtin, ...(high ? { highBudget: high } : {}) },
    sysmon: {
      ...s,
      elements: sysmon.elements,
      types: ranked.sysmon.map((id) => Number(id.slice(7))).sort((x, y) => x - y),
      added: s.ready - b.ready,
      files: sysmon.files.map((f) => ({ name: f.name, ...(f.base ? { base: f.base } : {}), hosts: f.hosts, added: f.added })),
    },
    hosts: assessment.hosts.map((h, i) => ({
      name: h.name,
      now: h.summary.readiness,
      builtin: p.builtin.hosts[i]?.summary.readiness ?? null,
      sysmon: p.sysmon.hosts[i]?.summary.readiness ?? null,
    })),
    notes: p.notes,
  };
  const withPlans: CheckResult = result.readiness ? { ...result, readiness: { ...result.readiness, plans: projection } } : result;
  const files: RemediationFile[] = [];
  if (o.plan !== 'sysmon') files.push(...builtin.files);
  if (o.plan !== 'builtin') for (const f of sysmon.files) files.push({ name: f.name, content: Buffer.from(f.xml, 'utf8'), settings: f.added.length });
  const notes = [...(o.plan !== 'sysmon' ? builtin.notes : []), ...(o.plan !== 'builtin' ? sysmon.notes : [])];
  if (files.length)
    files.push({
      name: 'README.txt',
      content: textFile(
        planReadme(
          projection,
          files.map((f) => f.name),
          builtin.readme,
          sysmon.notes,
          hosts.length,
        ),
      ),
      settings: 0,
    });
  // The budget line, the Security log and its warnings are about the built-in files: said when they are written.
  const builtinWritten = o.plan !== 'sysmon';
  return { files, result: withPlans, projection, notes, summary: builtinWritten ? builtin.summary : [], warnings: builtinWritten ? builtin.warnings : [] };
}

/** Success and Failure of one subcategory are one setting to whoever applies the files; forward: is a note, not a file. */
function settingCount(ids: string[], catalog: Catalog): number {
  return settingNames(
    ids.filter((id) => !id.startsWith('forward:')),
    catalog,
    (id) => settingName(id, catalog),
  ).length;
}
