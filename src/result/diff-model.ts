/**
 * What `diff` and `check --previous` report: the shape of a RunDiff (docs/usage.md, "diff"). Types only, so the
 * result model (result.ts) can carry a diff without importing the engine (run-diff.ts) that reads results.
 */
import type { Verdict } from '../assess/verdict.js';

export interface RuleRef {
  id?: string;
  title: string;
  path: string;
}

/** A requirement behind a change: its name, and on a single host its state and the input that stated it. */
export interface DiffRequirement {
  id: string;
  name: string;
  state?: string;
  reason?: string;
}

export interface RuleChange {
  rule: RuleRef;
  from: Verdict;
  to: Verdict;
  /** Lost readiness (see LOSSES): what --fail-on-regression fails on. */
  lost: boolean;
  /** The change is an improvement (the reverse of a loss). */
  gained: boolean;
  /** Requirements missing now and not before (the cause of a loss), and missing before and not now. */
  newlyMissing: DiffRequirement[];
  nowPresent: DiffRequirement[];
  /** The new run's reason for the verdict, when the report has one (single host). */
  why?: string;
}

/** A setting whose state changed on a single-host pair, whether or not a verdict changed with it. */
export interface SettingChange {
  id: string;
  name: string;
  from: string;
  to: string;
  reason?: string;
}

export interface HostDiff {
  name: string;
  /** Set when the only host of each run was paired although their names differ. */
  oldName?: string;
  inputs: { old: string[]; new: string[] };
  readiness: { old: number | null; new: number | null };
  changes: RuleChange[];
  settings: SettingChange[];
}

export interface RunRef {
  label?: string;
  version: string;
  catalog?: string;
  rules: number;
  hosts: number;
}

export interface RunDiff {
  diffVersion: 1;
  old: RunRef;
  new: RunRef;
  summary: { hostsCompared: number; rulesCompared: number; lost: number; gained: number; changed: number; hostsWithLoss: number };
  hosts: HostDiff[];
  hostsAdded: string[];
  hostsRemoved: string[];
  rulesAdded: RuleRef[];
  rulesRemoved: RuleRef[];
  notes: string[];
  /** Why hosts could not be compared although one run has them: a regression gate cannot pass on such a diff. */
  incomparable?: string;
}
