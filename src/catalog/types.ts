/** Types of the data catalog (`data/*.yaml`); see data/README.md for the meaning of each field. */

/** When Windows logs an event; `unspecified`: Microsoft lists the event without saying. */
export type Outcome = 'success' | 'failure' | 'both' | 'unspecified';

export interface AuditCategory {
  name: string;
  guid: string;
  legacySetting: string;
  legacyName: string;
  source: string;
}

export interface AuditEvent {
  id: number;
  outcome: Outcome;
}

export interface AuditSubcategory {
  guid: string;
  name: string;
  auditpolName: string;
  category: string;
  events: AuditEvent[];
  objectTypes?: string[];
  source: string;
  note?: string;
}

export interface SysmonEvent {
  id: number;
  name: string;
  element: string | null;
  filterable: boolean;
  loggedByDefault: boolean;
  minSchema: string | null;
  fields: string[];
  source: string;
  note?: string;
}

export interface RegistrySetting {
  key: string;
  value: string;
  type: string;
  data: string | number;
}

export interface Policy {
  id: string;
  name: string;
  gpoPath: string;
  admxCategory?: string;
  registry: RegistrySetting[];
  produces: { channel: string; events: number[] }[];
  source: string;
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
  /** Covers only part of what a rule matches (PowerShell 7: pwsh.exe only): alone it makes a rule partial. */
  supplementary?: boolean;
  note?: string;
}

export interface LogSourceEntry {
  product: string;
  category?: string;
  service?: string;
  title: string;
  sources: LogSourceOrigin[];
  source: string | string[];
  note?: string;
}
