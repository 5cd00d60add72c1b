/** Typed model of a Sigma rule, built once per YAML document. */
import type { ConditionNode } from './condition.js';

export type RuleStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';
export type RuleLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export const STATUS_ORDER: readonly RuleStatus[] = ['unsupported', 'deprecated', 'experimental', 'test', 'stable'];
export const LEVEL_ORDER: readonly RuleLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

export interface LogSource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
  /** A field given as a list or comma-separated names: every name (the field above holds the first). */
  alternatives?: { product?: string[]; category?: string[]; service?: string[] };
}

/** What the detection section tells us, taken from selections that can contribute positively. */
export interface DetectionFacts {
  /** EventIDs from positively used selections, sorted, unique. */
  eventIds: number[];
  /** Field names (modifiers stripped) used anywhere in the detection. */
  fields: string[];
  /** Field names used in positively used selections only. */
  positiveFields: string[];
  /** Values of Channel / Provider_Name / ObjectType in positive selections (as written). */
  channels: string[];
  providers: string[];
  objectTypes: string[];
  /** Parsed conditions (a list means any of them); empty when the condition could not be parsed. */
  conditions: ConditionNode[];
  /** Per selection, its OR-branches, each the field names that branch tests (a keyword list: one empty branch). */
  selectionFields: Record<string, string[][]>;
  /** Problems in the condition or detection that did not stop the analysis. */
  warnings: string[];
}

export interface SigmaRule {
  kind: 'rule';
  /** Path as reported to the user (relative to the argument it came from). */
  path: string;
  /** 0-based index of the document in its file (collections expand to several). */
  docIndex: number;
  /** 1-based line of the `logsource:` key, when known. */
  logsourceLine?: number;
  id?: string;
  name?: string;
  title: string;
  status?: string;
  level?: string;
  tags: string[];
  /** ATT&CK technique ids from tags (attack.t1059.001 → T1059.001). */
  techniques: string[];
  logsource: LogSource;
  detection: Record<string, unknown>;
  facts: DetectionFacts;
}

export interface CorrelationRule {
  kind: 'correlation';
  path: string;
  docIndex: number;
  id?: string;
  name?: string;
  title: string;
  status?: string;
  level?: string;
  tags: string[];
  techniques: string[];
  correlationType?: string;
  /** Referenced rules by id or name, as written. */
  references: string[];
}

export type LoadedRule = SigmaRule | CorrelationRule;

export interface LoadError {
  path: string;
  message: string;
}

export interface LoadNote {
  path: string;
  message: string;
}
