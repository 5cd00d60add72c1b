/**
 * What produces one event of an origin (audit subcategory + outcome, SACL, role, Sysmon type, channel) and what
 * only adds fields to it (enrichers). Facts from data/audit.yaml and data/logsources.yaml.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { LogSourceOrigin } from '../catalog/types.js';
import type { SigmaRule } from '../rules/model.js';
import { withAll, type Combo } from './sets.js';
import { describeObjects, objectsRead, routeCoverage } from './objects.js';

/**
 * Enrichers add fields to events the origin already produces (the command line in 4688): needed only when the
 * rule reads one of their fields, and never a producer by themselves.
 */
export function enrichersFor(rule: SigmaRule, origin: LogSourceOrigin, eventId: number | undefined, notes: string[]): string[] {
  const out: string[] = [];
  if (!origin.enrichers?.length) return out;
  const read = new Set(rule.facts.positiveFields.map((f) => f.toLowerCase()));
  for (const e of origin.enrichers) {
    if (eventId !== undefined && e.events && !e.events.includes(eventId)) continue;
    const used = e.fields.filter((f) => read.has(f.toLowerCase()));
    if (!used.length) continue;
    out.push(e.requires);
    notes.push(`${origin.name}: the rule reads ${used.join(', ')}, which ${e.requires} adds to the event`);
  }
  return out;
}

/** Role-bound origins: each listed role is one way (the events exist on any host of one of the roles). */
export function roleOptions(sets: Combo[], roles: string[]): Combo[] {
  if (!roles.length) return sets;
  return sets.flatMap((c) => [...new Set(roles)].map((r) => withAll(c, [`role:${r}`])));
}

/** An origin's events as a set, built once per list (a user's mapping may list thousands, each looked up). */
const eventSets = new WeakMap<readonly number[], Set<number>>();
function eventSet(events: readonly number[]): Set<number> {
  let s = eventSets.get(events);
  if (!s) eventSets.set(events, (s = new Set(events)));
  return s;
}

interface EventOption {
  requires: string[];
  /** Covers only part of what the rule may watch (a supplementary subcategory). */
  partial?: boolean;
}

/** The ways one event can be produced: each option is a set of requirement ids. */
export function eventOptions(rule: SigmaRule, origin: LogSourceOrigin, id: number, catalog: Catalog, notes: string[]): EventOption[] | undefined {
  switch (origin.producer) {
    case 'sysmon':
      if (!catalog.sysmonEvent(id)) {
        notes.push(`EventID ${id} is not a Sysmon event type`);
        return undefined;
      }
      return [{ requires: [`sysmon:${id}`] }];
    case 'audit': {
      let producers = catalog.auditProducers(id);
      if (!producers.length) {
        // Events the Security log records without any audit setting (e.g. 1102 log cleared) are listed on the origin.
        if (origin.events && eventSet(origin.events).has(id)) return [{ requires: [] }];
        notes.push(`Security EventID ${id} is not produced by any audit subcategory in the catalog`);
        return undefined;
      }
      const types = rule.facts.objectTypes.map((t) => t.toLowerCase());
      // An event entry of its own ObjectTypes (4662 for WMI namespaces) overrides its subcategory's list.
      const typesOf = (p: (typeof producers)[number]) => p.event.objectTypes ?? p.subcategory.objectTypes;
      if (types.length && producers.length > 1) {
        // Subcategories that list the rule's ObjectType (File System: File, Registry: Key) win; failing that,
        // those listing other types are ruled out and those listing none stay possible.
        const listed = producers.filter((p) => typesOf(p)?.some((t) => types.includes(t.toLowerCase())));
        const unlisted = producers.filter((p) => !typesOf(p));
        if (listed.length) producers = listed;
        else if (unlisted.length) producers = unlisted;
      } else if (!types.length && producers.length > 1) {
        // A variant written only for some object types (WMI namespaces) is no route for a rule that names none:
        // a 4662 rule on AD object properties stays with Directory Service Access on domain controllers.
        const general = producers.filter((p) => !p.event.objectTypes);
        if (general.length) producers = general;
      }
      // Route coverage by object: a subcategory that audits other objects than the rule reads is no route for it.
      const facts = catalog.objectFacts;
      const read = facts.routes.size ? objectsRead(rule, facts) : [];
      const coverage = new Map(
        producers.map((p) => {
          const objects = facts.routes.get(p.subcategory.guid.toUpperCase());
          return [
            p,
            objects ? routeCoverage(read, objects, Boolean(p.subcategory.supplementary), facts) : p.subcategory.supplementary ? 'partial' : 'full',
          ] as const;
        }),
      );
      const dropped = producers.filter((p) => coverage.get(p) === 'none');
      if (dropped.length) {
        producers = producers.filter((p) => coverage.get(p) !== 'none');
        const what = describeObjects(read);
        notes.push(
          `EventID ${id}: ${[...new Set(dropped.map((p) => p.subcategory.name))].join(', ')} ${dropped.length === 1 ? 'audits' : 'audit'} other objects than the rule reads (${what})`,
        );
        if (!producers.length) return undefined;
      }
      return producers.flatMap((p) => {
        const g = p.subcategory.guid;
        const ev = p.event;
        // Logged whatever the subcategory's setting (Microsoft: "logged regardless"): nothing to turn on.
        if (ev.regardless) return [{ requires: [] }];
        // An event logged on both outcomes is only fully produced when both are audited; where Microsoft
        // does not say which outcome logs it, asking for both is the safe answer.
        const own = p.outcome === 'both' || p.outcome === 'unspecified' ? [`audit:${g}:success`, `audit:${g}:failure`] : [`audit:${g}:${p.outcome}`];
        // The SACL must audit the outcomes the event is written for (sacl-flags.ts): success side, failure side.
        const k = ev.sacl === false ? undefined : (ev.sacl ?? p.subcategory.sacl);
        const sacl = !k ? [] : p.outcome === 'success' ? [`sacl:${k}`] : p.outcome === 'failure' ? [`sacl:${k}:failure`] : [`sacl:${k}`, `sacl:${k}:failure`];
        const set = [...own, ...(ev.requires ?? []), ...sacl];
        const roles = ev.roles ?? p.subcategory.roles ?? [];
        const partial = coverage.get(p) === 'partial';
        return (roles.length ? roles.map((r) => [...set, `role:${r}`]) : [set]).map((requires) => (partial ? { requires, partial } : { requires }));
      });
    }
    case 'channel':
      return [{ requires: [`channel:${origin.channel}`] }];
    default:
      return [{ requires: [] }];
  }
}
