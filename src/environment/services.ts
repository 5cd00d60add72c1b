/**
 * Is Sysmon installed and running, and with which rules? Two inputs from the host snapshot:
 * - `sc query <name>` + `sc qc <name>` outputs, concatenated by the collection script with a
 *   `==== sc query <name>` line before each (sc's "does not exist" error does not repeat the name);
 * - `sysmon -c` (the configuration the driver really uses, which may differ from any XML file on disk).
 */
import { HEADER } from './wevtutil.js';
import { isCodePageLine, isPromptLine } from './capture-text.js';
import { LIMITS } from '../limits.js';
import { cappedNotes, forEachLine } from '../lines.js';

export interface ServiceInfo {
  name: string;
  /** false only on sc's error 1060 ("The specified service does not exist as an installed service"). */
  exists: boolean;
  state?: string; // RUNNING, STOPPED, or another state as sc prints it
  /** AUTO_START, DEMAND_START, DISABLED, BOOT_START, SYSTEM_START (plus " (DELAYED)"). */
  startType?: string;
  binaryPath?: string;
  /** WIN32_OWN_PROCESS, KERNEL_DRIVER … */
  type?: string;
  displayName?: string;
}

export interface ServiceSet {
  /** By lower-case service name. */
  services: Map<string, ServiceInfo>;
  notes: string[];
}

// sc prints "<number>  <SYMBOL>" values; the symbols stay English even where the key names are translated
// (a Portuguese host prints "ESTADO : 4  RUNNING"), so values are recognised by their symbol.
const STATE = /^\d+\s+(STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED)\b/;
const START = /^\d+\s+(BOOT_START|SYSTEM_START|AUTO_START|DEMAND_START|DISABLED)\b\s*(\(DELAYED\))?/;
const TYPE =
  /^[0-9a-fA-F]+\s+((?:KERNEL_DRIVER|FILE_SYSTEM_DRIVER|WIN32_OWN_PROCESS|WIN32_SHARE_PROCESS|USER_OWN_PROCESS|USER_SHARE_PROCESS|WIN32|INTERACTIVE_PROCESS|WIN32_PACKAGED_PROCESS)\b.*)$/;

export function parseScOutput(text: string): ServiceSet {
  const out: ServiceSet = { services: new Map(), notes: [] };
  const notes = cappedNotes(out.notes);
  let named: string | undefined; // from the header or SERVICE_NAME
  let full = false;
  let other = false; // inside a section that is not sc output
  let localized = false;
  /** A service's entry; past the limit a scratch one (the file is then partial: a service not listed is unknown). */
  const entry = (name: string): ServiceInfo => {
    const k = name.toLowerCase();
    let s = out.services.get(k);
    if (!s) {
      s = { name, exists: true };
      if (out.services.size < LIMITS.host.services) out.services.set(k, s);
      else full = true;
    }
    return s;
  };
  forEachLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, (raw, lineNo) => {
    if (full) return false;
    const t = raw.trim();
    if (t === '') return;
    const h = HEADER.exec(raw);
    if (h) {
      const m = /^sc(?:\.exe)?\s+(?:query|qc)\s+"?([^"\s]+)"?/i.exec(h[1]!);
      named = m?.[1];
      // wevtutil gp / fltmc sections are read by sysmon-install.ts; their lines are not sc output.
      other = !m && /^(wevtutil(\.exe)?\s+gp|fltmc(\.exe)?\s+filters)\b/i.test(h[1]!);
      if (!m && !other) notes.add(`line ${lineNo}: header "${h[1]}" is not an sc query/qc command; ignored`);
      return;
    }
    if (other) return;
    // A saved console transcript: the prompt line of the command and chcp's line are not sc output.
    if (!/^\s/.test(raw) && (isPromptLine(t) || isCodePageLine(t))) {
      notes.add(`line ${lineNo}: "${t.slice(0, 60)}" is a prompt or chcp line, not sc output; skipped`);
      return;
    }
    const failed = /^\[SC\]\s+(\S+)\s+FAILED\s+(\d+)/i.exec(t);
    if (failed) {
      if (!named) {
        notes.add(`line ${lineNo}: "${t}" without a service name (no "==== sc …" header); ignored`);
        return;
      }
      if (failed[2] === '1060') {
        const s = out.services.get(named.toLowerCase());
        if (s && s.state !== undefined) notes.add(`line ${lineNo}: ${named} reported both as installed and as not installed; kept as installed`);
        else entry(named).exists = false;
      } else notes.add(`line ${lineNo}: ${failed[1]} for ${named} failed with error ${failed[2]}; its state is unknown`);
      return;
    }
    if (/^\[SC\]/.test(t) || /^The specified service does not exist/i.test(t) || /^\(.*\)$/.test(t)) return; // banners, error text, control flags
    const kv = /^([^:]+?)\s*:\s?(.*)$/.exec(t);
    if (!kv) return;
    const key = kv[1]!.toUpperCase();
    const value = kv[2]!.trim();
    if ((!localized && /[^\x00-\x7f]/.test(key)) || (!localized && !/^\s/.test(raw) && key !== 'SERVICE_NAME')) {
      localized = true;
      notes.add(
        `line ${lineNo}: sc output is not in English ("${kv[1]!.slice(0, 40)}"); values are read by their symbols (RUNNING, AUTO_START …), which sc never translates`,
      );
    }
    if (!/^\s/.test(raw)) {
      // The unindented "SERVICE_NAME: x" line (translated on some systems) starts a block.
      named = value;
      entry(value);
      return;
    }
    if (!named) return;
    const s = entry(named);
    let m: RegExpExecArray | null;
    if ((m = STATE.exec(value))) s.state = m[1]!;
    else if ((m = START.exec(value))) s.startType = m[2] ? `${m[1]} ${m[2]}` : m[1]!;
    else if ((m = TYPE.exec(value)) && !/EXIT_CODE/.test(key)) s.type = m[1]!.trim();
    else if (key === 'BINARY_PATH_NAME') s.binaryPath = value;
    else if (key === 'DISPLAY_NAME') s.displayName = value;
  });
  for (const s of out.services.values()) {
    if (s.exists && s.state === undefined && s.startType === undefined) notes.add(`${s.name.slice(0, 80)}: no state and no configuration in the output`);
  }
  if (full)
    notes.add(
      `more than ${LIMITS.host.services.toLocaleString('en-US')} services (limit): the rest of the file is not read; a service not listed before that point is unknown`,
    );
  notes.end();
  return out;
}

export interface SysmonCondition {
  /** Event field, e.g. Image, TargetObject. */
  field: string;
  /** Sysmon's condition text: is, is not, contains, begin with, end with, image, less than … */
  condition: string;
  value: string;
}

/** A `<Rule>` group inside a filter: its conditions are combined with `combine`. */
export interface SysmonRuleGroup {
  name: string;
  combine: string;
  conditions: SysmonCondition[];
}

/** One `<ProcessCreate onmatch="…">` (an element may appear twice: once include, once exclude). */
export interface SysmonRuleBlock {
  /** Rule element as printed: ProcessCreate, NetworkConnect, RegistryEvent, DnsQuery … */
  element: string;
  onmatch: 'include' | 'exclude';
  /** How the rules of the block combine ('Or' unless the config says groupRelation="and"). */
  combine?: string;
  conditions: SysmonCondition[];
  groups: SysmonRuleGroup[];
}

export interface SysmonDashC {
  /** Sysmon binary version from the banner ("15.15"). */
  version?: string;
  /** Rule schema version ("4.90"). */
  schemaVersion?: string;
  serviceName?: string;
  driverName?: string;
  configFile?: string;
  /** "SHA256=…" as printed. */
  configHash?: string;
  hashAlgorithms?: string[];
  /** Every " - Key: value" line of "Current configuration", by key as printed. */
  options: Record<string, string>;
  /** undefined: the rule dump was absent or not fully understood (the caller must treat filters as unknown). */
  rules?: SysmonRuleBlock[];
  notes: string[];
}

const BLOCK = /^ - (\S+)\s+onmatch:\s+(include|exclude)\b(?:\s+combine rules using '?(\w+)'?)?\s*$/i;
const GROUP = /^(\s+)(?:Compound Rule|Rule)\s+(.*?)\s+combine using '?(\w+)'?\s*$/i;
const COND = /^(\s+)(\S+)\s+filter:\s+(.+?)\s+value:\s+'(.*)'\s*$/;
const OPTION = /^ - ([^:]+?):\s*(.*)$/;

export function parseSysmonDashC(text: string): SysmonDashC {
  const out: SysmonDashC = { options: {}, notes: [] };
  const notes = cappedNotes(out.notes);
  let conditions = 0;
  let inRules = false;
  let understood = true;
  const rules: SysmonRuleBlock[] = [];
  let block: SysmonRuleBlock | undefined;
  let group: { g: SysmonRuleGroup; indent: number } | undefined;
  forEachLine(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, (raw, lineNo) => {
    const t = raw.trim();
    if (t === '') return;
    // A real rule dump is a few thousand lines; past the limit it is not used (its rules are unknown).
    if (inRules && ++conditions > LIMITS.host.sysmonRuleLines) {
      understood = false;
      notes.add(`more than ${LIMITS.host.sysmonRuleLines.toLocaleString('en-US')} rule lines (limit): the rule dump is not used`);
      return false;
    }
    const banner = /^System Monitor v(\S+)/.exec(t);
    if (banner) {
      out.version = banner[1]!;
      return;
    }
    const rc = /^Rule configuration \(version ([\d.]+)\):?/i.exec(t);
    if (rc) {
      out.schemaVersion = rc[1]!;
      inRules = true;
      return;
    }
    if (/^No rules installed/i.test(t)) {
      notes.add('Sysmon reports "No rules installed": it runs with its built-in defaults');
      inRules = true;
      return;
    }
    if (!inRules) {
      const o = OPTION.exec(raw);
      if (o) out.options[o[1]!.trim()] = o[2]!.trim();
      // The banner and copyright lines are skipped; an error (not elevated, not installed) is kept as a note.
      else if (/administrator|error|not installed|failed/i.test(t)) notes.add(`line ${lineNo}: ${t.slice(0, 200)}`);
      return;
    }
    // Status lines some builds print after the dump (the built-in Sysmon ends with "Sysmon is running.").
    if (/^Sysmon(64)? is (running|not running|stopped)\.?$/i.test(t)) {
      notes.add(`line ${lineNo}: status line "${t}" after the rule dump (not a rule)`);
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = BLOCK.exec(raw))) {
      block = { element: m[1]!, onmatch: m[2]!.toLowerCase() as 'include' | 'exclude', conditions: [], groups: [] };
      if (m[3]) block.combine = m[3];
      rules.push(block);
      group = undefined;
    } else if ((m = GROUP.exec(raw)) && block) {
      group = { g: { name: m[2]!, combine: m[3]!, conditions: [] }, indent: expandTabs(m[1]!) };
      block.groups.push(group.g);
    } else if ((m = COND.exec(raw)) && block) {
      const cond = { field: m[2]!, condition: m[3]!.trim(), value: m[4]! };
      // Conditions of a compound rule are indented deeper than its "Compound Rule" line.
      if (group && expandTabs(m[1]!) > group.indent) group.g.conditions.push(cond);
      else {
        group = undefined;
        block.conditions.push(cond);
      }
    } else {
      understood = false;
      notes.add(`line ${lineNo}: rule line not understood ("${t.slice(0, 60)}"); the rule dump is not used`);
    }
  });
  const o = out.options;
  if (o['Service name']) out.serviceName = o['Service name'];
  if (o['Driver name']) out.driverName = o['Driver name'];
  if (o['Config file']) out.configFile = o['Config file'];
  if (o['Config hash']) out.configHash = o['Config hash'];
  if (o['HashingAlgorithms'])
    out.hashAlgorithms = o['HashingAlgorithms']
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (inRules && understood) out.rules = rules;
  else if (!inRules) notes.add('no "Rule configuration" section: the rules are unknown');
  notes.end();
  return out;
}

/** Sysmon indents rule lines with a tab; count it as 8 columns so nesting compares correctly. */
function expandTabs(s: string): number {
  return s.replace(/\t/g, '        ').length;
}
