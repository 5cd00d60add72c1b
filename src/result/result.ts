import type { Catalog } from '../catalog/catalog.js';
import { describeRequirement, type RequirementKind } from '../requirements/describe.js';
import type { Resolution } from '../requirements/resolve.js';
import type { BranchEvent } from '../requirements/sets.js';
import type { EvidenceState, RuleEvidence } from '../assess/evidence.js';
import type { EvidenceReport } from '../assess/evidence-summary.js';
import type { LoadResult } from '../rules/load.js';
import type { LoadNote, LoadedRule, LogSource } from '../rules/model.js';
import { fieldsNeedingContent } from '../rules/detection-model.js';
import type { ChannelReport, VerdictCounts } from '../assess/assess.js';
import type { State } from '../environment/model.js';
import type { SysmonState } from '../environment/sysmon.js';
import type { Verdict } from '../assess/verdict.js';
import type { VolumeBudget, WithheldFix } from '../assess/recommend.js';
import type { SysmonFinding } from '../assess/sysmon-lint.js';
import type { VolumeClass, VolumeRating } from '../catalog/volume.js';
import type { MeasuredCost } from '../assess/measured-cost.js';
import type { ValueBasis } from '../assess/recommend.js';
import type { LogRetention } from '../assess/retention.js';
import type { RunDiff } from './diff-model.js';

/** The one result object every renderer (table, JSON, Markdown …) draws from. Its JSON form is documented. */
export interface CheckResult {
  /** 2: `out-of-scope` verdict and summary.outOfScope; summary.unknown counts Windows rules only. */
  schemaVersion: 2;
  /** catalog: short hash of the data files (a report made with another catalog may differ). */
  tool: { name: string; version: string; catalog?: string };
  summary: Summary;
  requirements: RequirementRow[];
  rules: RuleRow[];
  errors: { path: string; message: string }[];
  notes: LoadNote[];
  /** Present when an environment (gpresult, auditpol) was given. */
  readiness?: Readiness;
  /** Present with --observed: what actually arrived, joined with the verdicts (docs/evidence.md). */
  evidence?: EvidenceReport;
  /** check --previous OLD.json: what changed since that run (docs/usage.md, "diff"). */
  diff?: RunDiff;
  /** check --changed-since / --files-from: the rule files in scope (SARIF results and the gate cover only them). */
  changed?: ChangedScope;
}

/** The rule files a PR changed: every rule is still read and counted, only these are reported and gated. */
export interface ChangedScope {
  /** The git ref given to --changed-since, or the --files-from file. */
  since?: string;
  filesFrom?: string;
  /** Changed files (as listed by git or the file), and how many rules of the run are in them. */
  files: string[];
  rules: number;
}

export interface Summary {
  filesRead: number;
  rulesScanned: number;
  windowsRules: number;
  resolved: number;
  /** Windows rules whose log source could not be resolved (their verdict on a host is unknown). */
  unknown: number;
  /** Rules for other products (Linux, cloud …), never assessed: verdict out-of-scope. */
  outOfScope: number;
  correlations: number;
  errors: number;
  skipped: { status: number; level: number };
  /** outOfScope: a log source of another product (its rules are out of scope, not unknown). */
  logsources: { logsource: string; rules: number; resolved: boolean; outOfScope?: true }[];
  /** With an environment: verdict counts and readiness % (rule × host over a fleet), as in readiness.verdicts. */
  verdicts?: VerdictCounts;
}

export interface RequirementRow {
  id: string;
  kind: RequirementKind;
  name: string;
  enable: string;
  details: string[];
  /** Sysmon: the config element that logs the event type (types sharing one are shown as one row). */
  group?: string;
  /** The command that turns it on, and the Sysmon XML that logs it, when they exist (code blocks in reports). */
  command?: string;
  xml?: string;
  /** Rules with this requirement in at least one alternative. */
  rules: number;
  /** Rules with it in every alternative: they cannot be ready without it. */
  essentialFor: number;
  /** With an environment: on / off / unknown on the host ("mixed" across a fleet). */
  state?: ShownState;
  stateReason?: string;
  /** Fleet: hosts where it is on. */
  hostsOn?: number;
}

export interface RuleRow {
  path: string;
  line?: number;
  kind: 'rule' | 'correlation';
  id?: string;
  title: string;
  level?: string;
  status?: string;
  logsource: LogSource | null;
  logsourceKey: string;
  techniques: string[];
  eventIds: number[];
  /** OR of AND sets of requirement ids; `[[]]` means nothing needs to be turned on. */
  alternatives: string[][];
  /** Which log-source origin each alternative comes from (same order). */
  origins: string[];
  /** Per alternative, per event it reads: what that event needs (producer, enrichers, SACL, role). */
  branches: string[][][];
  /** Branches of the supplementary sets (same order as supplementary). */
  supplementaryBranches: string[][][];
  /**
   * Per alternative (same order), the fields the rule reads that its source never has (4688: OriginalFileName,
   * Hashes …); present only when some alternative lacks one. Ready only through such a source is degraded.
   */
  lacks?: string[][];
  /** Per EventID, the providers the rule's selections pair it with (only where every mention names one). */
  eventProviders?: Record<string, string[]>;
  /** With --observed: Sigma fields the rule's positive selections read, when any (field evidence judges them). */
  fields?: string[];
  /** Per alternative, the event (channel, event IDs) of each branch: what observed counts must show. */
  branchEvents: BranchEvent[][];
  supplementaryBranchEvents: BranchEvent[][];
  /** A Windows rule (assessed) or one for another product (out of scope). */
  windows: boolean;
  /** Sets that produce only part of the rule's events (PowerShell 7 logging): partial at best. */
  supplementary: string[][];
  unknownReason?: string;
  /** How the log source was found when the logsource block did not name it in taxonomy terms. */
  inferredFrom?: string;
  notes: string[];
  /** With one host: its verdict, the requirement ids missing in the closest alternative, and why. */
  verdict?: Verdict;
  missing?: string[];
  why?: string;
  /** Ready only through a source that lacks fields the rule reads: those fields (what detection is lost). */
  degraded?: string[];
  /** With several hosts: how many hosts give each verdict. */
  verdicts?: Record<Verdict, number>;
  /** With collector configs (one host): why some of the rule's events are not (all) forwarded. */
  forwarding?: string[];
  /** With --changed-since / --files-from: the rule's file is one of the changed files. */
  changed?: true;
  /** With --observed and one host (or none given): what arrived of the rule's events. */
  evidence?: RuleEvidence;
  /** With --observed and several hosts: how many hosts give each evidence state. */
  evidenceStates?: Record<EvidenceState, number>;
  /** With a Sysmon config (one host): would Sysmon log the rule's events, per event type, and why not. */
  sysmon?: { eventId: number; result: 'logged' | 'partial' | 'dropped'; reasons: string[]; evasion?: string[] }[];
}

export function buildResult(load: LoadResult, resolutions: Map<LoadedRule, Resolution>, catalog: Catalog, version: string): CheckResult {
  const rules: RuleRow[] = [];
  const reqCount = new Map<string, { rules: number; essential: number }>();
  const perLogsource = new Map<string, { rules: number; resolved: boolean; windows: boolean }>();
  let windows = 0;
  let resolved = 0;
  let unknown = 0;
  let outOfScope = 0;
  let correlations = 0;
  const productOf = referenceProducts(load.rules, resolutions);

  for (const rule of load.rules) {
    const res = resolutions.get(rule);
    if (!res) continue;
    const full = res.alternatives.filter((a) => !a.supplementary);
    const alternatives = full.map((a) => a.requires);
    const supp = res.alternatives.filter((a) => a.supplementary);
    const supplementary = supp.map((a) => a.requires);
    const eventProviders = res.eventProviders;
    const isWindows = rule.kind === 'correlation' ? correlationIsWindows(rule.references, res, productOf) : isWindowsRule(rule.logsource, res);
    if (rule.kind === 'correlation') correlations++;
    else {
      // Correlations add no log source of their own: only plain rules are counted per source and requirement.
      // Resolved implies Windows: a rule is Windows (resolved or unknown) or out of scope, never both.
      if (!isWindows) outOfScope++;
      else {
        windows++;
        if (res.status === 'resolved') resolved++;
        else unknown++;
      }
      const ls = perLogsource.get(res.logsource) ?? { rules: 0, resolved: res.status === 'resolved', windows: false };
      ls.rules++;
      ls.resolved ||= res.status === 'resolved';
      ls.windows ||= isWindows;
      perLogsource.set(res.logsource, ls);
      const all = new Set([...alternatives.flat(), ...supplementary.flat()]);
      for (const id of all) {
        const c = reqCount.get(id) ?? { rules: 0, essential: 0 };
        c.rules++;
        if (alternatives.every((a) => a.includes(id))) c.essential++;
        reqCount.set(id, c);
      }
    }
    rules.push({
      path: rule.path,
      line: rule.kind === 'rule' ? rule.logsourceLine : undefined,
      kind: rule.kind,
      id: rule.id,
      title: rule.title,
      level: rule.level,
      status: rule.status,
      logsource: rule.kind === 'rule' ? rule.logsource : null,
      logsourceKey: res.logsource,
      techniques: rule.techniques,
      eventIds: res.eventIds,
      alternatives,
      origins: full.map((a) => a.origin),
      branches: full.map((a) => a.branches),
      ...(full.some((a) => a.lacks?.length) ? { lacks: full.map((a) => a.lacks ?? []) } : {}),
      ...(eventProviders ? { eventProviders } : {}),
      supplementary,
      supplementaryBranches: supp.map((a) => a.branches),
      branchEvents: full.map((a) => a.events),
      supplementaryBranchEvents: supp.map((a) => a.events),
      windows: isWindows,
      unknownReason: res.unknownReason,
      ...(res.inferredFrom ? { inferredFrom: res.inferredFrom } : {}),
      notes: [...(rule.kind === 'rule' ? rule.facts.warnings : []), ...res.notes],
    });
  }

  const requirements: RequirementRow[] = [...reqCount.entries()]
    .map(([id, c]) => ({ ...describeRequirement(id, catalog), rules: c.rules, essentialFor: c.essential }))
    .sort((a, b) => b.rules - a.rules || b.essentialFor - a.essentialFor || a.id.localeCompare(b.id));

  return {
    schemaVersion: 2,
    tool: { name: 'logsource-check', version, catalog: catalog.version },
    summary: {
      filesRead: load.filesRead,
      rulesScanned: rules.length,
      windowsRules: windows,
      resolved,
      unknown,
      outOfScope,
      correlations,
      errors: load.errors.length,
      skipped: load.skipped,
      logsources: [...perLogsource.entries()]
        .map(([logsource, v]) => ({ logsource, rules: v.rules, resolved: v.resolved, ...(v.windows ? {} : { outOfScope: true as const }) }))
        .sort((a, b) => b.rules - a.rules || a.logsource.localeCompare(b.logsource)),
    },
    requirements,
    rules,
    errors: load.errors,
    notes: load.notes,
  };
}

/**
 * Adds each plain rule's positive fields (`fields`) to the rows, for field evidence (--observed) only: reading them
 * parses the detection of a rule the cache would otherwise leave unparsed. Rows are in buildResult's order: the
 * loaded rules that have a resolution.
 */
export function addRuleFields(result: CheckResult, load: LoadResult, resolutions: Map<LoadedRule, Resolution>): void {
  const loaded = load.rules.filter((r) => resolutions.has(r));
  result.rules.forEach((row, i) => {
    const r = loaded[i];
    if (r?.kind !== 'rule' || r.path !== row.path) return;
    // Only fields the rule needs filled: a rule matching "-" in a field is not starved when the field is "-".
    const fields = fieldsNeedingContent(r);
    if (fields.length) row.fields = fields;
  });
}

/** A plain rule is Windows when it names the product, or its log source resolves to Windows events. */
function isWindowsRule(ls: LogSource, res: Resolution): boolean {
  return ls.product === 'windows' || res.logsource.startsWith('windows') || res.status === 'resolved';
}

/** Per rule id and name: whether that plain rule is a Windows rule (what a correlation's references are). */
function referenceProducts(rules: LoadedRule[], resolutions: Map<LoadedRule, Resolution>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const r of rules) {
    const res = resolutions.get(r);
    if (r.kind !== 'rule' || !res) continue;
    if (r.id) out.set(r.id, isWindowsRule(r.logsource, res));
    if (r.name) out.set(r.name, isWindowsRule(r.logsource, res));
  }
  return out;
}

/**
 * A correlation is out of scope only when every rule it references is a known rule of another product. One that
 * references a missing rule, or a Windows rule whose log source is unknown, stays a Windows rule left unknown.
 */
function correlationIsWindows(references: string[], res: Resolution, windowsRef: Map<string, boolean>): boolean {
  if (res.status === 'resolved' || !references.length) return true;
  return references.some((ref) => windowsRef.get(ref) !== false);
}

/** What the JSON report gains when an environment (gpresult, auditpol) is given. */
export interface Readiness {
  /** Single host: that host's counts. Fleet: rule × host counts over all hosts. */
  verdicts: VerdictCounts;
  /** With --assume-defaults: what was taken at its Windows default. */
  assumptions: string[];
  /** Inputs that name different computers and were kept apart (never merged into one host). */
  identity: string[];
  /** Verdict counts per Windows log source, most rules first (rule × host over a fleet). */
  logsources: LogsourceReadiness[];
  /** With a Sysmon config: per event type its state and what the simulation says for the rules needing it. */
  sysmon?: SysmonSummary;
  /** With collector configs: per channel, needed vs forwarded event IDs and the rules affected. */
  channels?: ChannelReport[];
  /** With --rank value: fixes are ordered by rules unlocked per volume weight (low 1, medium 3, high 9). */
  ranking?: 'value';
  /** With --max-volume: the budget and the fixes of the unbudgeted ranking it left out. */
  volumeBudget?: { max: VolumeClass; settingsAbove: string[]; onlyAbove: number; leftOut: (VolumeBudget['leftOut'][number] & { names: string[] })[] };
  /** Blocking or archiving settings never proposed as a fix, and how many rules stay without one. */
  withheld?: (WithheldFix & { names: string[] })[];
  /** With --observed: how the fixes' measured figures are taken, and what --rank value ordered by. */
  measuredCost?: { window: string; ranking?: ValueBasis };
  /** With --observed and known log sizes: per host and log, how long it holds now and with the ranked fixes. */
  retention?: LogRetention[];
  hosts: HostRow[];
  /**
   * Fleet (two hosts or more): hosts with the same requirement states share verdicts; per group, every rule whose
   * verdict is not ready (out-of-scope rules left out: they are the same on every host). HostRow.group points here.
   * A rule absent from a group's list is ready on its hosts. Lets `diff` name the hosts a rule changed on.
   */
  verdictGroups?: VerdictGroup[];
  recommendations: RecommendationRow[];
  /** fix: the readiness each remediation plan reaches, re-assessed with its settings applied (generate/projection.ts). */
  plans?: PlanProjection;
}

/** Verdict figures of one state of the hosts (now, or with a plan applied); rule × host units on a fleet. */
export interface PlanFigures {
  readiness: number | null;
  ready: number;
  applicable: number;
}

export interface PlanProjection {
  /** The volume budget both plans keep. */
  maxVolume: VolumeClass;
  now: PlanFigures;
  /**
   * Audit policy, policies, channels, SACLs: no new software. settings: one per subcategory, policy, channel, SACL
   * kind. highBudget: the same plan under --max-volume high, when the budget left a built-in setting out.
   */
  builtin: PlanFigures & { settings: number; requires: string[]; highBudget?: PlanFigures & { settings: number } };
  /** The built-in plan plus the Sysmon additions; added: rules (rule × host) ready with Sysmon and not with the built-in plan alone. */
  sysmon: PlanFigures & { elements: number; types: number[]; added: number; files: { name: string; base?: string; hosts: string[]; added: string[] }[] };
  /** Per host (fleet): readiness now, with the built-in plan, with Sysmon too. */
  hosts: { name: string; now: number | null; builtin: number | null; sysmon: number | null }[];
  /** What the projection could not apply (SACLs without sacls.txt …): never counted as ready. */
  notes: string[];
}

export interface HostRow {
  name: string;
  /** workstation, member server, domain controller (+ server roles), or undefined when not known. */
  role?: string;
  /** What we could see: inputs read, and the file that would settle each kind of requirement still unknown. */
  seen: { inputs: string[]; unknown: { kind: string; requirements: number; settle: string }[] };
  files: string[];
  summary: VerdictCounts;
  notes: string[];
  conflicts: string[];
  warnings: string[];
  /** Fleet: index of the host's entry in readiness.verdictGroups. */
  group?: number;
}

export interface VerdictGroup {
  hosts: number;
  /** Rules not ready on these hosts: index into rules, the verdict, the requirement ids missing in the closest alternative. */
  notReady: { rule: number; verdict: Verdict; missing: string[] }[];
}

export interface SysmonSummary {
  config: string;
  schemaVersion: string;
  types: { eventId: number; element: string; state: SysmonState; rules: number; logged: number; partial: number; dropped: number }[];
  /** Config filters that drop or cut the events of the most rules. */
  offenders: { filter: string; rules: number }[];
  /**
   * Evasion gaps: rules whose events the config logs although some exclusion would drop them when an attacker's
   * process, file or key matches it; the exclusions named most often.
   */
  evasion?: { rules: number; exclusions: { filter: string; rules: number }[] };
  /** Deployment hazards of the config (sysmon-lint), each with its line. */
  hazards: SysmonFinding[];
}

/** A requirement's state as reports show it: Sysmon event types use the config's states. */
export type ShownState = State | SysmonState | 'mixed';

export interface LogsourceReadiness {
  logsource: string;
  /** Rules reading this log source (not multiplied by hosts). */
  rules: number;
  ready: number;
  partial: number;
  blocked: number;
  unknown: number;
  notApplicable: number;
  /** ready ÷ (ready + partial + blocked + unknown), one decimal; null when every rule is not applicable. */
  readiness: number | null;
}

export interface RecommendationRow {
  rank: number;
  requires: { id: string; name: string; state: ShownState; enable: string; details: string[]; group?: string; command?: string; xml?: string }[];
  unlocks: number;
  hosts: number;
  rules: { path: string; title: string }[];
  /** Event volume of the fix: the highest class of its settings, or unrated when no source rates any of them. */
  volume: VolumeClass | 'unrated';
  /** Per requirement id of the fix: its volume on these hosts (class undefined: unrated) and what it rests on. */
  volumes: Record<string, VolumeRating>;
  /** With --observed: the fix's events/day and bytes/day measured where its settings are on (assess/measured-cost.ts). */
  measuredCost?: MeasuredCost;
}
