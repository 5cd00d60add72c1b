/**
 * The open catalog export (`logsource-check catalog export`, docs/catalog-export.md): per Sigma log source, the
 * ways a Windows host produces it and, per event, every route with the settings it needs (audit subcategory and
 * outcome, Sysmon element, policies, channel, SACL, role), its volume rating and sources. Pure: built from the
 * catalog alone, so another tool can consume the facts without running this one. FORMAT_VERSION changes when a
 * field is removed or changes meaning; added fields keep it.
 */
import type { AttackComponents } from './attack-components.js';
import { componentsOf } from './attack-components.js';
import type { Catalog } from './catalog.js';
import type { LogSourceEntry, LogSourceOrigin, Producer } from './types.js';
import type { SubcategoryVolume, VolumeClass, VolumeFields } from './volume.js';

export const FORMAT = 'logsource-check-catalog';
export const FORMAT_VERSION = 1;

export interface ExportVolume {
  /** One class for the setting (Sysmon types, policies, a subcategory's general rating); null when unrated. */
  class: VolumeClass | null;
  /** Audit subcategories: Microsoft's rating per computer type where the page tells them apart. */
  domainController: VolumeClass | null;
  memberServer: VolumeClass | null;
  workstation: VolumeClass | null;
  source: string | null;
  note: string | null;
}

export interface ExportRoute {
  /** Every requirement id this route needs together (data/README.md, "Requirement ids"); [] = nothing to turn on. */
  requires: string[];
  audit: { guid: string; subcategory: string; outcome: 'success' | 'failure' | 'both' | 'unspecified'; regardless: boolean } | null;
  sysmon: { eventId: number; element: string | null; filterable: boolean; loggedByDefault: boolean; minSchema: string | null } | null;
  policies: string[];
  /** A disabled-by-default channel to enable. */
  channel: string | null;
  /** SACL kinds the watched objects must carry (success side; ":failure" for the failure side). */
  sacls: string[];
  /** Produced only on hosts of these roles. */
  roles: string[];
  volume: ExportVolume | null;
  source: string | null;
}

export interface ExportEvent {
  id: number;
  /** Alternatives: any one route produces the event. */
  routes: ExportRoute[];
}

export interface ExportOrigin {
  name: string;
  producer: Producer;
  channel: string | null;
  provider: string | null;
  providerGuid: string | null;
  roles: string[];
  supplementary: boolean;
  /** Requirement ids every event of this origin needs besides its own route. */
  requires: string[];
  enrichers: { requires: string; fields: string[]; events: number[] | null }[];
  fields: string[];
  /** Categories: the complete list; services: the notable events the catalog lists (maybe none). */
  events: ExportEvent[];
  note: string | null;
}

export interface ExportLogsource {
  key: string;
  product: string;
  category: string | null;
  service: string | null;
  title: string;
  roles: string[];
  attackDataComponents: string[];
  sources: string[];
  note: string | null;
  origins: ExportOrigin[];
}

export interface CatalogExport {
  format: typeof FORMAT;
  formatVersion: typeof FORMAT_VERSION;
  tool: { name: string; version: string; catalog: string };
  attackDataComponentsSource: string | null;
  logsources: ExportLogsource[];
}

export function exportCatalog(catalog: Catalog, toolVersion: string, components?: AttackComponents): CatalogExport {
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    tool: { name: 'logsource-check', version: toolVersion, catalog: catalog.version },
    attackDataComponentsSource: components?.sources.mitre ?? null,
    logsources: catalog.logsources.map((e) => exportEntry(e, catalog, components)),
  };
}

function keyOf(e: LogSourceEntry): string {
  return e.category ? `${e.product}/category/${e.category}` : `${e.product}/service/${e.service ?? ''}`;
}

function exportEntry(e: LogSourceEntry, catalog: Catalog, components: AttackComponents | undefined): ExportLogsource {
  const key = keyOf(e);
  return {
    key,
    product: e.product,
    category: e.category ?? null,
    service: e.service ?? null,
    title: e.title,
    roles: [...(e.roles ?? [])],
    attackDataComponents: components ? componentsOf(components, key) : [],
    sources: Array.isArray(e.source) ? [...e.source] : [e.source],
    note: e.note ?? null,
    origins: e.sources.map((o) => exportOrigin(o, catalog)),
  };
}

function exportOrigin(o: LogSourceOrigin, catalog: Catalog): ExportOrigin {
  const base = o.requires ?? [];
  return {
    name: o.name,
    producer: o.producer,
    channel: o.channel ?? null,
    provider: o.provider ?? null,
    providerGuid: o.providerGuid ?? null,
    roles: [...(o.roles ?? [])],
    supplementary: Boolean(o.supplementary),
    requires: [...base],
    enrichers: (o.enrichers ?? []).map((x) => ({ requires: x.requires, fields: [...x.fields], events: x.events ? [...x.events] : null })),
    fields: [...(o.fields ?? [])],
    events: (o.events ?? []).map((id) => ({ id, routes: routes(o, id, catalog) })),
    note: o.note ?? null,
  };
}

const EMPTY_ROUTE: Omit<ExportRoute, 'requires'> = { audit: null, sysmon: null, policies: [], channel: null, sacls: [], roles: [], volume: null, source: null };

/** The ways one event of an origin is produced (the same reading as requirements/producers.ts, without a rule). */
function routes(o: LogSourceOrigin, id: number, catalog: Catalog): ExportRoute[] {
  const extra = [...(o.requires ?? []), ...(o.eventRequires?.[String(id)] ?? [])];
  const finish = (r: Omit<ExportRoute, 'policies'> & { policies?: string[] }): ExportRoute => {
    const requires = [...new Set([...r.requires, ...extra])];
    const { requires: _own, ...rest } = r;
    return { requires, ...rest, policies: requires.filter((x) => x.startsWith('policy:')).map((x) => x.slice('policy:'.length)) };
  };
  switch (o.producer) {
    case 'sysmon': {
      const ev = catalog.sysmonEvent(id);
      return [
        finish({
          ...EMPTY_ROUTE,
          requires: [`sysmon:${id}`],
          sysmon: {
            eventId: id,
            element: ev?.element ?? null,
            filterable: ev?.filterable ?? false,
            loggedByDefault: ev?.loggedByDefault ?? false,
            minSchema: ev?.minSchema ?? null,
          },
          volume: ev ? flat(ev) : null,
          source: ev?.source ?? null,
        }),
      ];
    }
    case 'audit': {
      const producers = catalog.auditProducers(id);
      // The Security log writes some events without any audit setting (1102): nothing to turn on.
      if (!producers.length) return [finish({ ...EMPTY_ROUTE, requires: [] })];
      return producers.flatMap((p) => {
        const g = p.subcategory.guid;
        const ev = p.event;
        const own = ev.regardless
          ? []
          : p.outcome === 'both' || p.outcome === 'unspecified'
            ? [`audit:${g}:success`, `audit:${g}:failure`]
            : [`audit:${g}:${p.outcome}`];
        const k = ev.sacl === false ? undefined : (ev.sacl ?? p.subcategory.sacl);
        const sacls = !k ? [] : p.outcome === 'success' ? [`sacl:${k}`] : p.outcome === 'failure' ? [`sacl:${k}:failure`] : [`sacl:${k}`, `sacl:${k}:failure`];
        const roles = [...(ev.roles ?? p.subcategory.roles ?? [])];
        return [
          finish({
            ...EMPTY_ROUTE,
            requires: [...own, ...(ev.requires ?? []), ...sacls, ...roles.map((r) => `role:${r}`)],
            audit: { guid: g, subcategory: p.subcategory.name, outcome: p.outcome, regardless: Boolean(ev.regardless) },
            sacls: sacls.map((s) => s.slice('sacl:'.length)),
            roles,
            volume: subVolume(p.subcategory.volume),
            source: ev.source ?? p.subcategory.source,
          }),
        ];
      });
    }
    case 'channel':
      return [finish({ ...EMPTY_ROUTE, requires: [`channel:${o.channel ?? ''}`], channel: o.channel ?? null })];
    case 'etw':
      // No event-log channel: no setting of this catalog produces it (the checker reports such rules unknown).
      return [];
    default:
      return [finish({ ...EMPTY_ROUTE, requires: [] })];
  }
}

function flat(v: VolumeFields): ExportVolume {
  return { class: v.volume ?? null, domainController: null, memberServer: null, workstation: null, source: v.volumeSource ?? null, note: v.volumeNote ?? null };
}

function subVolume(v: SubcategoryVolume): ExportVolume {
  return {
    class: v.general ?? null,
    domainController: v['domain-controller'] ?? null,
    memberServer: v['member-server'] ?? null,
    workstation: v.workstation ?? null,
    source: v.source ?? null,
    note: v.unrated ?? v.stated ?? v.note ?? null,
  };
}

/** CSV columns: one row per log source × origin × event × route (an origin without events or routes: one row). */
export const CSV_COLUMNS = [
  'product',
  'category',
  'service',
  'title',
  'roles',
  'attack_data_components',
  'origin',
  'producer',
  'channel',
  'provider',
  'provider_guid',
  'event_id',
  'requires',
  'audit_subcategory_guid',
  'audit_subcategory',
  'audit_outcome',
  'sysmon_element',
  'policies',
  'channel_to_enable',
  'sacls',
  'route_roles',
  'volume',
  'volume_dc',
  'volume_member',
  'volume_workstation',
  'route_source',
  'sources',
] as const;

export function exportRows(x: CatalogExport): string[][] {
  const rows: string[][] = [];
  for (const l of x.logsources) {
    for (const o of l.origins) {
      const head = [
        l.product,
        l.category ?? '',
        l.service ?? '',
        l.title,
        l.roles.join(';'),
        l.attackDataComponents.join(';'),
        o.name,
        o.producer,
        o.channel ?? '',
        o.provider ?? '',
        o.providerGuid ?? '',
      ];
      type Pair = [number | undefined, ExportRoute | undefined];
      const pairs: Pair[] = o.events.flatMap((e): Pair[] => (e.routes.length ? e.routes.map((r): Pair => [e.id, r]) : [[e.id, undefined]]));
      if (!pairs.length) pairs.push([undefined, undefined]);
      for (const [id, r] of pairs) {
        rows.push([
          ...head,
          id === undefined ? '' : String(id),
          [...new Set([...(r?.requires ?? o.requires)])].join(';'),
          r?.audit?.guid ?? '',
          r?.audit?.subcategory ?? '',
          r?.audit?.outcome ?? '',
          r?.sysmon?.element ?? '',
          (r?.policies ?? []).join(';'),
          r?.channel ?? '',
          (r?.sacls ?? []).join(';'),
          (r?.roles ?? []).join(';'),
          r?.volume?.class ?? '',
          r?.volume?.domainController ?? '',
          r?.volume?.memberServer ?? '',
          r?.volume?.workstation ?? '',
          r?.source ?? '',
          l.sources.join(' '),
        ]);
      }
    }
  }
  return rows;
}
