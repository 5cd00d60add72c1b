/**
 * How each host input lands in the Host model; one place, used by the command-line inputs (load.ts) and by
 * host snapshots (snapshot.ts), so the two never disagree on precedence.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { AuditpolSettings } from './auditpol.js';
import { effectiveAudit } from './effective.js';
import type { GpresultSettings } from './gpresult.js';
import type { HostEnvironment } from './model.js';
import { applyManagement, managementFromGpresult } from './management.js';
import { append } from '../lines.js';
import { sddlOutcomes, setGlobalSacl } from './sacl-flags.js';

/** What a gpresult configures: the effective audit policy from GPOs, policies, log sizes, DC membership. */
export function applyGpresult(host: HostEnvironment, settings: GpresultSettings, label: string, catalog: Catalog): void {
  host.covers = { audit: true, policies: true };
  const audit = effectiveAudit(settings, catalog, label);
  host.audit = audit.values;
  append(append(host.notes, settings.notes), audit.notes);
  if (settings.role) host.role = { kind: settings.role.kind, features: new Set(), complete: false, source: `${label}: ${settings.role.evidence}` };
  host.auditOrigin = { legacy: audit.legacyApplied, advancedGpo: settings.advanced.size > 0, gpos: settings.auditGpos, force: settings.forceSubcategories };
  for (const [slug, p] of settings.policies) {
    host.policies.set(slug, { state: p.enabled && p.coversAll !== false ? 'on' : 'off', source: `${label} (GPO ${p.gpo})`, detail: p.detail });
  }
  for (const [log, l] of settings.eventLogs) {
    const policy =
      l.maxSizeKB === undefined || !l.gpo
        ? undefined
        : l.template
          ? `GPO ${l.gpo} (the administrative template "Specify the maximum log file size (KB)": Windows Components > Event Log Service > ${log})`
          : `GPO ${l.gpo} (Computer Configuration > Policies > Windows Settings > Security Settings > Event Log > Maximum ${log.toLowerCase()} log size)`;
    host.eventLogs.set(log, {
      log,
      maxSizeKB: l.maxSizeKB,
      retention: l.retention,
      source: `${label}${l.gpo ? ` (GPO ${l.gpo})` : ''}`,
      ...(policy ? { policy } : {}),
    });
  }
  applyManagement(host, managementFromGpresult(settings.domainGpos, settings.computerDomain, label));
}

/**
 * `auditpol /get` shows the policy in force, so it wins over what gpresult says is configured; each
 * disagreement is reported. A subcategory the effective output lists as "No Auditing" is off. A GPO's
 * audit.csv replaces the whole advanced audit policy: Windows clears it first, so every subcategory the file
 * leaves out ends at No Auditing once the GPO applies (see effective.ts). Global SACL rows turn sacl:* on.
 */
export function applyAuditpol(host: HostEnvironment, parsed: AuditpolSettings, label: string, catalog: Catalog): void {
  host.covers.audit = true;
  for (const [guid, value] of parsed.values) {
    const next = { success: (value & 1) === 1, failure: (value & 2) === 2, source: label };
    const prev = host.audit.get(guid);
    if (prev && !prev.inferred && (prev.success !== next.success || prev.failure !== next.failure)) {
      const name = catalog.subcategory(guid)?.name ?? guid;
      host.conflicts.push(
        `${name}: ${prev.source} configures ${describe(prev)}, ${label} shows ${describe(next)} (${parsed.kind === 'effective' ? 'auditpol is what is in force' : 'the later input wins'})`,
      );
    }
    host.audit.set(guid, next);
  }
  if (parsed.kind === 'backup') {
    for (const sub of catalog.subcategories) {
      if (!parsed.values.has(sub.guid))
        host.audit.set(sub.guid, {
          success: false,
          failure: false,
          source: `${label}: not in this audit.csv (No Auditing once a GPO applies it)`,
          inferred: true,
        });
    }
  }
  for (const [kind, sddl] of parsed.globalSacl)
    setGlobalSacl(host, kind, true, sddlOutcomes(sddl), `${label}: ${kind === 'file' ? 'File' : 'Registry'}GlobalSacl ${sddl.slice(0, 60)}`);
}

function describe(v: { success?: boolean; failure?: boolean }): string {
  if (v.success && v.failure) return 'Success and Failure';
  if (v.success) return 'Success';
  if (v.failure) return 'Failure';
  return 'No Auditing';
}
