/** Types of the data catalog (`data/*.yaml`); see data/README.md for the meaning of each field. */
import type { Hazard } from './hazards.js';
import type { SubcategoryVolume, VolumeFields } from './volume.js';

/** When Windows logs an event; `unspecified`: Microsoft lists the event without saying. */
export type Outcome = 'success' | 'failure' | 'both' | 'unspecified';

export interface AuditCategory {
  name: string;
  guid: string;
  legacySetting: string;
  legacyName: string;
  source: string;
}

export type Role = 'domain-controller' | 'certification-authority' | 'network-policy-server' | 'dns-server' | 'iis' | 'exchange' | 'adfs';
export type SaclKind = 'file' | 'registry' | 'kernel-object' | 'directory-service' | 'wmi-namespace';

export interface AuditEvent {
  id: number;
  outcome: Outcome;
  /** Further requirement ids this event needs (4661 also needs Audit Handle Manipulation Success). */
  requires?: string[];
  /** Logged whatever the subcategory's setting is (Microsoft: "logged regardless"). */
  regardless?: boolean;
  /** false: this event needs no SACL although its subcategory's other events do; a kind: it needs that SACL. */
  sacl?: false | SaclKind;
  /**
   * This event entry covers only objects of these ObjectType values (4662 for WMI namespaces under Other Object
   * Access): taken for rules whose ObjectType names one of them, never for rules that name none.
   */
  objectTypes?: string[];
  /** Produced only on hosts of these roles (overrides the subcategory's). */
  roles?: Role[];
  source?: string;
  note?: string;
}

export interface AuditSubcategory {
  guid: string;
  name: string;
  auditpolName: string;
  /** Audit Policy CSP node (./Device/Vendor/MSFT/Policy/Config/Audit/<csp>); absent where no node was confirmed. */
  csp?: string;
  category: string;
  events: AuditEvent[];
  objectTypes?: string[];
  /** Its events are written only for objects whose SACL audits the access (or under a global SACL). */
  sacl?: SaclKind;
  /** Its events are produced only on hosts of these roles. */
  roles?: Role[];
  /** Covers only part of the objects a rule may watch (Removable Storage: files on removable devices). */
  supplementary?: boolean;
  /** Microsoft's "Event volume" for the subcategory (in general and per computer type), or why unrated. */
  volume: SubcategoryVolume;
  source: string;
  note?: string;
}

export interface SysmonEvent extends VolumeFields {
  id: number;
  name: string;
  element: string | null;
  filterable: boolean;
  loggedByDefault: boolean;
  minSchema: string | null;
  fields: string[];
  source: string;
  /** What deploying the element can do besides logging (hazards.ts); [] for none beyond volume. */
  hazards: Hazard[];
  /** A configuration entry without which Sysmon writes none of these events, rules or not (24: CaptureClipboard). */
  requiresOption?: { name: string; source: string; note: string };
  note?: string;
}

export interface RegistrySetting {
  key: string;
  value: string;
  type: string;
  data: string | number;
}

export interface Policy extends VolumeFields {
  id: string;
  name: string;
  gpoPath: string;
  admxCategory?: string;
  registry: RegistrySetting[];
  produces: { channel: string; events: number[] }[];
  source: string;
  /** What turning the policy on can do besides logging (hazards.ts); [] for none beyond volume. */
  hazards: Hazard[];
  /**
   * Not a Group Policy setting (the CA's own audit filter): no gpresult or policy export shows it, so it is
   * unknown unless an input does; `check` / `set` are the commands that read and set it on the host.
   */
  outsideGroupPolicy?: { check: string; set: string };
  note?: string;
}

/** A Sysmon filter condition operator (data/sysmon-filtering.yaml). */
export interface SysmonConditionInfo {
  name: string;
  minSchema?: string;
  /** Values separated by ";" (is any, contains any …). */
  multi: boolean;
  negated: boolean;
  source: string;
}

/** Facts about collectors (data/collectors.yaml). */
export interface CollectorFacts {
  /** Most expressions (comparisons) one <Select> may hold, if documented. */
  xpathMaxExpressions?: number;
  /** What NXLog's im_msvistalog reads when given neither Channel nor Query: every channel, or these. */
  nxlogDefault: 'all-channels' | string[];
  /** Most event IDs Winlogbeat accepts in one event_id list, if documented. */
  winlogbeatMaxEventIds?: number;
  /** Most expressions one XPath of an Azure Monitor data collection rule may hold, if documented. */
  dcrMaxExpressions?: number;
}

/** Recommended minimum maximum size of an event log (data/eventlog.yaml). */
export interface EventLogThreshold {
  log: string;
  recommendedMinKB: number;
  defaultKB?: number;
  source: string;
  note?: string;
}

export type Producer = 'sysmon' | 'audit' | 'default' | 'channel' | 'etw';

export interface LogSourceOrigin {
  name: string;
  producer: Producer;
  channel?: string;
  provider?: string;
  providerGuid?: string;
  events?: number[];
  requires?: string[];
  eventRequires?: Record<string, string[]>;
  fields?: string[];
  /** Settings that add fields to events this origin produces; needed only by rules that read those fields. */
  enrichers?: Enricher[];
  /** Produced only on hosts of these roles. */
  roles?: Role[];
  /** Covers only part of what a rule matches (PowerShell 7: pwsh.exe only): alone it makes a rule partial. */
  supplementary?: boolean;
  note?: string;
}

/** A setting that adds fields to an event (the command line in 4688); it produces nothing by itself. */
export interface Enricher {
  requires: string;
  fields: string[];
  /** Only these events of the origin (default: all). */
  events?: number[];
  note?: string;
}

export interface LogSourceEntry {
  product: string;
  /** Produced only on hosts of these roles. */
  roles?: Role[];
  category?: string;
  service?: string;
  title: string;
  sources: LogSourceOrigin[];
  source: string | string[];
  note?: string;
}
