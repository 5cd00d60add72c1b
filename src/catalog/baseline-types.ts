/** Types of the published baselines (src/catalog/baselines.ts reads and validates them; data/README.md, baselines/). */
import type { BaselineForward, BaselineSacl } from './baseline-recorded.js';

/** on: the baseline audits this outcome; off: it says not to (or sets No Auditing); any: no requirement either way. */
export type Want = 'on' | 'off' | 'any';
export type BaselineRole = 'workstation' | 'member-server' | 'domain-controller';

/** Where a setting's value comes from: the file's source and version unless the setting names its own. */
export interface Provenance {
  source: string;
  version: string;
  note?: string;
}

export interface BaselineAudit extends Provenance {
  /** Upper-case {GUID} from audit.yaml. */
  guid: string;
  /** The catalog's GPO name of the subcategory. */
  name: string;
  success: Want;
  failure: Want;
}

export interface BaselineLog extends Provenance {
  log: string;
  maxSizeKB?: number;
  /** AuditLogRetentionPeriod: 0 overwrite as needed, 1 by days, 2 never overwrite ([MS-GPSB] 2.2.3). */
  retention?: number;
}

export interface BaselinePolicy extends Provenance {
  /** Policy slug from policies.yaml: the baseline turns it on. */
  id: string;
  name: string;
}

export interface BaselineChannel extends Provenance {
  /** Channel the baseline enables (a `channel:` requirement of logsources.yaml). */
  name: string;
}

/** Kinds of setting a baseline file records in full; what it does not cover says nothing either way. */
export type BaselineKind = 'audit' | 'logs' | 'policies' | 'channels';

export interface Baseline {
  name: string;
  title: string;
  publisher: string;
  version: string;
  source: string;
  /** The data file it was read from (file name only). */
  file: string;
  role?: BaselineRole;
  /**
   * A server role (role names of the catalog: certification-authority, adfs …) the member is for, within a
   * family whose members share a computer type (mdi-adcs, mdi-adfs): a host with that role gets this member.
   */
  feature?: string;
  covers: BaselineKind[];
  audit: BaselineAudit[];
  logs: BaselineLog[];
  policies: BaselinePolicy[];
  channels: BaselineChannel[];
  /** Recorded only, never compared (sacls, forwards); absent when the file lists none. */
  sacls?: BaselineSacl[];
  forwards?: BaselineForward[];
}
