import { NO_ALIASES, type AliasData } from './aliases.js';
import { ROLES } from './role-names.js';
import { NO_OBJECT_FACTS, type ObjectFacts } from './audit-objects.js';
import { NO_SACL_SCOPE, type SaclScope } from './sacl-scope.js';
import { NO_CHANNEL_FACTS, type ChannelFacts } from './channel-facts.js';
import { WITHHELD, type Hazard } from './hazards.js';
import type {
  AuditCategory,
  AuditEvent,
  AuditSubcategory,
  CollectorFacts,
  EventLogThreshold,
  LogSourceEntry,
  Outcome,
  Policy,
  SysmonConditionInfo,
  SysmonEvent,
} from './types.js';

export interface AuditProducer {
  subcategory: AuditSubcategory;
  outcome: Outcome;
  event: AuditEvent;
}

/** Typed, indexed view of the validated data catalog. */
export class Catalog {
  private readonly byGuid = new Map<string, AuditSubcategory>();
  private readonly byAuditEvent = new Map<number, AuditProducer[]>();
  private readonly sysmonById = new Map<number, SysmonEvent>();
  private readonly policyById = new Map<string, Policy>();
  private readonly logsourceByKey = new Map<string, LogSourceEntry>();
  private readonly serviceByChannel = new Map<string, LogSourceEntry>();
  /** Short hash of the data files it was built from ("custom" for a catalog built in code): reports name it. */
  version = 'custom';

  constructor(
    readonly auditCategories: AuditCategory[],
    readonly subcategories: AuditSubcategory[],
    readonly sysmonEvents: SysmonEvent[],
    readonly policies: Policy[],
    readonly logsources: LogSourceEntry[],
    readonly eventLogs: EventLogThreshold[] = [],
    readonly sysmonConditions: SysmonConditionInfo[] = [],
    readonly collectorFacts: CollectorFacts = { nxlogDefault: [] },
    readonly aliases: AliasData = NO_ALIASES,
    /** Trees set-audit-sacls.ps1 never audits with inheritance (data/sacl-scope.yaml). */
    readonly saclScope: SaclScope = NO_SACL_SCOPE,
    /** Channels every install has, channels that prove a role (data/channels.yaml). */
    readonly channelFacts: ChannelFacts = NO_CHANNEL_FACTS,
    /** Which objects each object-access subcategory covers (data/audit-objects.yaml). */
    readonly objectFacts: ObjectFacts = NO_OBJECT_FACTS,
  ) {
    for (const sub of subcategories) {
      this.byGuid.set(sub.guid.toUpperCase(), sub);
      for (const ev of sub.events) {
        const list = this.byAuditEvent.get(ev.id) ?? [];
        list.push({ subcategory: sub, outcome: ev.outcome, event: ev });
        this.byAuditEvent.set(ev.id, list);
      }
    }
    for (const ev of sysmonEvents) this.sysmonById.set(ev.id, ev);
    for (const p of policies) this.policyById.set(p.id, p);
    for (const e of logsources) {
      this.logsourceByKey.set(key(e.product, e.category, e.service), e);
      if (e.service) {
        for (const s of e.sources) if (s.channel) this.serviceByChannel.set(s.channel.toLowerCase(), e);
      }
    }
  }

  subcategory(guid: string): AuditSubcategory | undefined {
    return this.byGuid.get(guid.toUpperCase());
  }

  /** Subcategories that log an event id, with the outcome they log it on. */
  auditProducers(eventId: number): AuditProducer[] {
    return this.byAuditEvent.get(eventId) ?? [];
  }

  sysmonEvent(id: number): SysmonEvent | undefined {
    return this.sysmonById.get(id);
  }

  policy(id: string): Policy | undefined {
    return this.policyById.get(id);
  }

  logsource(product: string, category?: string, service?: string): LogSourceEntry | undefined {
    return this.logsourceByKey.get(key(product, category, service));
  }

  /** Entry by the key reports use: "windows/category/process_creation", "windows/service/security". */
  entryByKey(key: string): LogSourceEntry | undefined {
    return this.logsourceByKey.get(key);
  }

  /** The service entry whose channel is this one (as used by `Channel:` in a detection). */
  serviceForChannel(channel: string): LogSourceEntry | undefined {
    return this.serviceByChannel.get(channel.toLowerCase());
  }

  /**
   * What turning a requirement on can do besides logging: the hazards in the data, plus a volume hazard when the
   * setting's volume rating is high (an audit subcategory: its rating for any computer type).
   */
  hazards(id: string): Hazard[] {
    const [kind, rest = ''] = splitRequirement(id);
    const entry = kind === 'sysmon' ? this.sysmonById.get(Number(rest)) : kind === 'policy' ? this.policyById.get(rest) : undefined;
    const out: Hazard[] = [...(entry?.hazards ?? [])];
    if (entry?.volume === 'high') out.push({ class: 'volume', note: entry.volumeNote ?? 'rated high', source: entry.volumeSource ?? entry.source });
    if (kind === 'audit') {
      const sub = this.byGuid.get(rest.replace(/:(success|failure)$/, ''));
      const v = sub?.volume;
      if (v && [v.general, v['domain-controller'], v['member-server'], v.workstation].includes('high'))
        out.push({ class: 'volume', note: `Microsoft: "${v.stated ?? 'High'}"`, source: v.source ?? sub.source });
    }
    return out;
  }

  /** The hazard that keeps a requirement out of generated files and ranked fixes (blocking, archiving), if any. */
  withheld(id: string): Hazard | undefined {
    return this.hazards(id).find((h) => WITHHELD.includes(h.class));
  }

  /** Cross-file consistency: every requirement and event a log source names must exist. */
  checkReferences(): string[] {
    const problems: string[] = [];
    for (const guid of this.objectFacts.routes.keys())
      if (!this.byGuid.has(guid)) problems.push(`audit-objects.yaml: route ${guid} is not a subcategory in audit.yaml`);
    for (const e of this.logsources) {
      const w = `logsources.yaml: ${e.category ?? e.service}`;
      for (const s of e.sources) {
        const reqs = [...(s.requires ?? []), ...Object.values(s.eventRequires ?? {}).flat(), ...(s.enrichers ?? []).map((x) => x.requires)];
        for (const r of reqs) {
          const problem = this.checkRequirement(r);
          if (problem) problems.push(`${w} (${s.name}): ${problem}`);
        }
        for (const id of s.events ?? []) {
          if (s.producer === 'sysmon' && !this.sysmonById.has(id)) problems.push(`${w}: Sysmon event ${id} is not in sysmon.yaml`);
          // An audit origin may list events no subcategory logs: those are written without any audit setting.
        }
      }
    }
    for (const ev of this.sysmonEvents) {
      for (const h of ev.hazards ?? [])
        if (h.instead !== undefined && !this.sysmonById.get(h.instead)?.element)
          problems.push(`sysmon.yaml: event ${ev.id} hazard "instead: ${h.instead}" is not a configurable Sysmon event`);
    }
    for (const sub of this.subcategories) {
      for (const ev of sub.events)
        for (const r of ev.requires ?? []) {
          const problem = this.checkRequirement(r);
          if (problem) problems.push(`audit.yaml: ${sub.name} event ${ev.id}: ${problem}`);
        }
    }
    return problems;
  }

  /** Returns why a requirement id names nothing in the catalog, or undefined when it is known. */
  checkRequirement(id: string): string | undefined {
    const [kind, rest = ''] = splitRequirement(id);
    if (kind === 'policy' && !this.policyById.has(rest)) return `unknown policy "${rest}"`;
    if (kind === 'sysmon' && !this.sysmonById.has(Number(rest))) return `unknown Sysmon event ${rest}`;
    if (kind === 'audit' && !this.byGuid.has(rest.replace(/:(success|failure)$/, ''))) return `unknown audit subcategory in ${id}`;
    if (kind === 'sacl' && !SACL_KINDS.includes(rest.replace(/:failure$/, ''))) return `unknown SACL kind "${rest}"`;
    if (kind === 'role' && !(ROLES as readonly string[]).includes(rest)) return `unknown role "${rest}"`;
    return undefined;
  }
}

/** Requirement kinds sacl:… and role:… take these names (data/README.md). */
export const SACL_KINDS = ['file', 'registry', 'kernel-object', 'directory-service', 'wmi-namespace'];
export { ROLES };

export function splitRequirement(id: string): [string, string] {
  const i = id.indexOf(':');
  return [id.slice(0, i), id.slice(i + 1)];
}

function key(product: string, category?: string, service?: string): string {
  return category ? `${product}/category/${category}` : `${product}/service/${service ?? ''}`;
}
