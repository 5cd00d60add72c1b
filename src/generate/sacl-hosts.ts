/**
 * Which set-audit-sacls script each host gets. A host's script carries the keys and folders of the rules that
 * apply to it and are not ready there: a rule not applicable to the host's role (a DC-only rule on a
 * workstation), or one already ready (say through Sysmon), adds no SACL and so no events. Hosts whose sets are
 * all the same share one set-audit-sacls.ps1; otherwise each host gets set-audit-sacls-<HOST>.ps1.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import type { CheckResult } from '../result/result.js';
import type { LoadedRule, SigmaRule } from '../rules/model.js';
import { assess } from '../assess/assess.js';
import { ruleSaclNeeds } from './collect-sacls.js';
import { saclEntryCount, saclScript, saclTargets, type SaclTargets } from './sacl-script.js';

/** One host's verdict per rule (same order as result.rules), as the assessment gives it. */
export type HostRuleVerdicts = readonly { verdict: string; missing: readonly string[] }[];

export interface SaclScriptFile {
  name: string;
  script: string;
  /** Entries the script writes (one Add-*Audit line each). */
  settings: number;
  targets: SaclTargets;
  hosts: string[];
}

/**
 * The scripts and their notes. perHost: each host's verdicts (fix passes the run's assessment); without it the
 * hosts are assessed here, and without hosts the result's own rows decide.
 */
export function saclScripts(
  result: CheckResult,
  catalog: Catalog,
  hosts: HostEnvironment[],
  rules: LoadedRule[],
  sacls: string[],
  perHost?: HostRuleVerdicts[],
): { files: SaclScriptFile[]; notes: string[] } {
  const want = { registry: sacls.some((id) => id.startsWith('sacl:registry')), file: sacls.some((id) => id.startsWith('sacl:file')) };
  // A rule whose SACL alternative also asks for the subcategory's Failure reads failed accesses too (collect-sacls.ts).
  const readsFailure = (alts: string[][]) => ruleSaclNeeds(alts, catalog).failure;
  const verdicts: (HostRuleVerdicts | undefined)[] = hosts.length ? (perHost ?? assess(result, hosts, catalog, rules).hosts.map((h) => h.rules)) : [undefined];
  const names = hosts.length ? hosts.map((h) => h.name) : [];
  // Hosts with the same rule sets share one target set.
  const groups = new Map<string, { needs: { registry: Set<SigmaRule>; file: Set<SigmaRule>; failure: Set<SigmaRule> }; hosts: string[] }>();
  verdicts.forEach((hv, hi) => {
    const needs = { registry: new Set<SigmaRule>(), file: new Set<SigmaRule>(), failure: new Set<SigmaRule>() };
    const sig: string[] = [];
    // result.rules and the loaded rules are in the same order (one row per loaded rule).
    rules.forEach((rule, i) => {
      if (rule.kind !== 'rule') return;
      const row = result.rules[i];
      const v = hv?.[i] ?? (row?.verdict ? { verdict: row.verdict, missing: row.missing ?? [] } : undefined);
      if (v && (v.verdict === 'ready' || v.verdict === 'not-applicable')) return;
      const all = new Set([...(v?.missing ?? []), ...(row?.alternatives.flat() ?? [])]);
      if (want.registry && (all.has('sacl:registry') || all.has('sacl:registry:failure'))) {
        needs.registry.add(rule);
        sig.push(`r${i}`);
      }
      if (want.file && (all.has('sacl:file') || all.has('sacl:file:failure'))) {
        needs.file.add(rule);
        sig.push(`f${i}`);
      }
      if ((needs.registry.has(rule) || needs.file.has(rule)) && readsFailure(row?.alternatives ?? [])) needs.failure.add(rule);
    });
    const key = sig.join(',');
    const g = groups.get(key) ?? { needs, hosts: [] };
    if (names[hi] !== undefined) g.hosts.push(names[hi]);
    groups.set(key, g);
  });

  const files: SaclScriptFile[] = [];
  const notes: string[] = [];
  const made = [...groups.values()].map((g) => ({ ...g, targets: saclTargets(rules, g.needs, catalog.saclScope) }));
  const withEntries = made.filter((g) => saclEntryCount(g.targets) > 0);
  const shared = made.length === 1;
  const used = new Set<string>();
  for (const g of withEntries) {
    const script = saclScript(g.targets, g.hosts);
    const perHostNames = shared ? ['set-audit-sacls.ps1'] : g.hosts.map((h) => uniqueName(`set-audit-sacls-${safeName(h)}`, used));
    for (const name of perHostNames) files.push({ name, script, settings: saclEntryCount(g.targets), targets: g.targets, hosts: g.hosts });
    notes.push(note(sacls, perHostNames, g.targets));
  }
  const none = made.filter((g) => saclEntryCount(g.targets) === 0);
  if (!withEntries.length) {
    const rulesNeeding = made.some((g) => g.needs.registry.size || g.needs.file.size);
    notes.push(
      rulesNeeding
        ? note(sacls, [], made[0]?.targets)
        : `object access: ${sacls.join(', ')} — no set-audit-sacls script: no rule that watches a registry key or folder is short of its SACL on ${names.length ? names.join(', ') : 'this host'} (they are ready, or do not apply there).`,
    );
  } else if (none.length)
    notes.push(
      `set-audit-sacls: no key or folder to audit on ${none.flatMap((g) => g.hosts).join(', ')} (its rules that watch them are ready or do not apply there).`,
    );
  return { files, notes };
}

function note(sacls: string[], names: string[], t: SaclTargets | undefined): string {
  const head = `object access: ${sacls.join(', ')} — Windows writes these events only for objects with an audit SACL`;
  if (!t || !names.length)
    return `${head}; no set-audit-sacls script: no registry key or folder the rules watch could be derived${t?.skipped ? ` (${t.skipped} rule value(s) name no fixed key or folder)` : ''}.`;
  const broad = [...t.registry.values(), ...t.file.values()].filter((e) => !e.inherit);
  const file = names.length > 1 ? `${names[0]} (and ${names.length - 1} more host file(s) with the same entries)` : names[0];
  const parts = [
    `${file} adds one to ${t.registry.size} registry key(s) and ${t.file.size} folder(s) the rules watch`,
    broad.length
      ? `${broad.length} of them on a tree the catalog marks broad, on that key or folder only, without inheritance (${broad
          .slice(0, 3)
          .map((e) => e.path)
          .join(', ')}${broad.length > 3 ? ', …' : ''})`
      : '',
    t.valuesToKeys ? `${t.valuesToKeys} rule value(s) name a registry value or part of a name and are audited on the key that holds it` : '',
    t.skipped ? `${t.skipped} rule value(s) name no fixed key or folder and are skipped (not counted)` : '',
  ].filter(Boolean);
  return `${head}; ${parts.join('; ')}.`;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'host';
}

function uniqueName(base: string, used: Set<string>): string {
  let name = `${base}.ps1`;
  for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}.ps1`;
  used.add(name.toLowerCase());
  return name;
}
