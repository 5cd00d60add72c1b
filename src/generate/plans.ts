/**
 * fix's two plans, each ranked on its own:
 *  - built-in: audit policy, policies, channels, SACLs — what an admin can do today with no new software. Ranked
 *    with every sysmon:* requirement out of reach, so no built-in setting is ever left out because Sysmon would
 *    also cover the rule (the 1,183 process_creation rules get Process Creation + the command-line policy).
 *  - with Sysmon: the Sysmon event types that make more rules ready once the built-in plan is applied (its
 *    settings count as on), merged into the host's deployed config when the inputs hold one.
 * Both keep the volume budget and the hazards (recommend.ts: withheld settings are never proposed).
 */
import type { Assessment } from '../assess/assess.js';
import type { AssessRule } from '../assess/counts.js';
import { recommend, type VolumeBudget } from '../assess/recommend.js';
import type { VolumeOptions } from '../assess/volume.js';
import type { Catalog } from '../catalog/catalog.js';
import { parseSysmonConfig, type SysmonConfig } from '../environment/sysmon.js';
import type { HostEnvironment } from '../environment/model.js';
import { lintSysmonConfig } from '../assess/sysmon-lint.js';
import type { CheckResult } from '../result/result.js';
import type { LoadedRule } from '../rules/model.js';
import { sysmonNeeds } from './sysmon-cli.js';
import { generateSysmonConfig } from './sysmon-config.js';

export type PlanChoice = 'builtin' | 'sysmon' | 'both';

export interface RankedPlans {
  /** Settings the built-in plan turns on (audit:, policy:, channel:, sacl:, forward: as notes). */
  builtin: string[];
  /** Sysmon event types (sysmon:N) the Sysmon plan adds on top of the built-in plan. */
  sysmon: string[];
  /** What the volume budget left out of each plan's own ranking (Audit Process Creation is rated high). */
  budget: { builtin?: VolumeBudget; sysmon?: VolumeBudget };
}

const isSysmon = (id: string) => id.startsWith('sysmon:');

export function rankPlans(a: Assessment, rules: AssessRule[], catalog: Catalog, vol: VolumeOptions): RankedPlans {
  const { items, kinds } = a.rankInput;
  const groups = a.groups;
  const builtin = recommend(items, groups, rules, catalog, kinds, vol, (id) => !isSysmon(id));
  const given = new Set(builtin.recommendations.flatMap((r) => r.requires));
  // The host as the built-in plan leaves it: what those settings give is on, so Sysmon is ranked for the rest.
  const after = items.map((i) => ({ ...i, missing: i.missing.map((m) => m.filter((id) => !given.has(id))) }));
  const sysmon = recommend(after, groups, rules, catalog, kinds, vol, (id) => isSysmon(id) || id.startsWith('forward:'));
  return {
    builtin: [...given],
    sysmon: [...new Set(sysmon.recommendations.flatMap((r) => r.requires).filter(isSysmon))],
    budget: { builtin: builtin.budget, sysmon: sysmon.budget },
  };
}

export interface SysmonPlanFile {
  name: string;
  xml: string;
  /** What it adds, one line per element (the generator's words). */
  added: string[];
  /** The deployed config it was merged into, when it is a merge. */
  base?: string;
  /** Hosts that get it. */
  hosts: string[];
}

export interface SysmonPlan {
  files: SysmonPlanFile[];
  /** Per host index, the config the host runs once the plan is applied (projection.ts). */
  configFor: (SysmonConfig | undefined)[];
  /** The elements the new config holds (sysmon-additions.xml). */
  elements: number;
  notes: string[];
}

/**
 * sysmon-additions.xml: a new config with the plan's event types (for hosts without Sysmon); for each deployed
 * config the inputs hold, sysmon-merged.xml (one per distinct config: sysmon-merged-<HOST>.xml when several)
 * through the merge that never removes or reorders (sysmon-config.ts), then linted like sysmon-lint does.
 */
export function sysmonPlan(ids: string[], result: CheckResult, rules: LoadedRule[], hosts: HostEnvironment[], catalog: Catalog): SysmonPlan {
  const types = new Set(ids.map((id) => Number(id.slice(7))));
  const needs = sysmonNeeds(rules, result)
    .map((n) => ({ rule: n.rule, eventIds: n.eventIds.filter((e) => types.has(e)) }))
    .filter((n) => n.eventIds.length);
  const out: SysmonPlan = { files: [], configFor: hosts.map(() => undefined), elements: 0, notes: [] };
  if (!needs.length) return out;
  const fresh = generateSysmonConfig(needs, catalog, { mode: 'minimal' });
  out.elements = fresh.added.length;
  const freshConfig = parseSysmonConfig('sysmon-additions.xml', fresh.xml, catalog);
  const withoutBase = hosts.flatMap((h, i) => (h.sysmon?.text === undefined ? [i] : []));
  out.files.push({ name: 'sysmon-additions.xml', xml: fresh.xml, added: fresh.added, hosts: withoutBase.map((i) => (hosts[i] as HostEnvironment).name) });
  for (const n of fresh.notes) out.notes.push(`sysmon-additions.xml: ${n}`);
  for (const f of lintSysmonConfig(freshConfig, catalog)) if (f.severity === 'hazard') out.notes.push(`sysmon-additions.xml line ${f.line}: ${f.message}`);
  for (const i of withoutBase) out.configFor[i] = freshConfig;
  // Sysmon may run there with a config the inputs do not hold: sysmon -c would replace it, so the projection is
  // of sysmon-additions.xml alone, and the user is told to merge instead.
  const unseen = withoutBase.map((i) => hosts[i] as HostEnvironment).filter((h) => h.sysmonService && h.sysmonService.state !== 'absent');
  if (unseen.length)
    out.notes.push(
      `${unseen
        .slice(0, 5)
        .map((h) => h.name)
        .join(
          ', ',
        )}${unseen.length > 5 ? ` and ${unseen.length - 5} more` : ''}: Sysmon may already run there (${unseen[0]?.sysmonService?.source}) with a config the inputs do not hold; sysmon-additions.xml would replace it, so merge it into that config instead (logsource-check sysmon-config <rules> --base <config>; or collect it: the snapshot's sysmon-config.xml). The projection shows sysmon-additions.xml alone there.`,
    );
  // One merge per distinct deployed config (a fleet deploys a few configs to many hosts).
  const byText = new Map<string, number[]>();
  hosts.forEach((h, i) => {
    if (h.sysmon?.text === undefined) return;
    const list = byText.get(h.sysmon.text) ?? [];
    list.push(i);
    byText.set(h.sysmon.text, list);
  });
  for (const [text, idx] of byText) {
    const first = hosts[idx[0] as number] as HostEnvironment;
    const path = first.sysmon?.path ?? 'sysmon-config.xml';
    const name = byText.size === 1 ? 'sysmon-merged.xml' : `sysmon-merged-${first.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'host'}.xml`;
    const merged = generateSysmonConfig(needs, catalog, { mode: 'minimal', base: { path, text } });
    const config = parseSysmonConfig(name, merged.xml, catalog);
    for (const i of idx) out.configFor[i] = config;
    out.files.push({ name, xml: merged.xml, added: merged.added, base: path, hosts: idx.map((i) => (hosts[i] as HostEnvironment).name) });
    for (const n of merged.notes) out.notes.push(`${name}: ${n}`);
    // The same checks sysmon-lint makes: a merge keeps what the base does, so its hazards are said again here.
    for (const f of lintSysmonConfig(config, catalog)) if (f.severity === 'hazard') out.notes.push(`${name} line ${f.line}: ${f.message}`);
  }
  return out;
}
