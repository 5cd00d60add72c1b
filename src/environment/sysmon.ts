/**
 * Sysmon configuration XML (schema 3.x–4.9x): <Sysmon schemaversion> <EventFiltering> with <RuleGroup
 * groupRelation> and bare event elements, onmatch include/exclude, compound <Rule> blocks and field
 * conditions. What Sysmon itself would reject is an error with its line; the rest becomes, per event element,
 * include and exclude filters (each an AND of conditions).
 */
import type { Catalog } from '../catalog/catalog.js';
import { sysmonLayout, type SysmonLayout } from './sysmon-layout.js';
import { attr, decodeEntities, kids, parseXml, text as childText, xmlText, type XmlNode } from './xml.js';

/** Condition operators as Sysinternals documents them (lower-cased). */
export const SYSMON_OPERATORS = [
  'is',
  'is not',
  'is any',
  'contains',
  'contains any',
  'contains all',
  'excludes',
  'excludes any',
  'excludes all',
  'begin with',
  'not begin with',
  'end with',
  'not end with',
  'less than',
  'more than',
  'image',
] as const;
export type SysmonOperator = (typeof SYSMON_OPERATORS)[number];

export interface SysmonCondition {
  field: string;
  operator: SysmonOperator;
  value: string;
}

/** One filter: all its conditions must hold (a compound <Rule groupRelation="and">, or an "and" RuleGroup). */
export interface SysmonFilter {
  conditions: SysmonCondition[];
  /** RuleGroup or Rule name, for explanations. */
  name?: string;
}

export interface ElementRules {
  element: string;
  include: SysmonFilter[];
  exclude: SysmonFilter[];
  /** An include element is present (with or without filters): without filters it logs nothing. */
  hasInclude: boolean;
  hasExclude: boolean;
  /** How many elements (rule sets) of each kind the config has for this type. */
  includeSets: number;
  excludeSets: number;
}

/** unknown: the rules would log the type, but the input cannot show a configuration entry it needs (requiresOption). */
export type SysmonState = 'on' | 'filtered' | 'off' | 'unsupported' | 'unknown';

export interface SysmonConfig {
  path: string;
  schemaVersion: string;
  elements: Map<string, ElementRules>;
  options: Record<string, string>;
  /**
   * The input does not show the configuration entries (HashAlgorithms, CaptureClipboard …), so an entry missing
   * from `options` proves nothing. A config XML always shows them (unset); a reader of a source that cannot, such
   * as a `sysmon -c` dump that prints no clipboard line, sets it.
   */
  optionsUnseen?: boolean;
  notes: string[];
  /** Lines of its elements and entries (sysmon-lint names them); set by parseSysmonConfig. */
  layout?: SysmonLayout;
  /** The XML as read: fix merges its Sysmon additions into this deployed config (one copy per distinct config). */
  text?: string;
}

export class SysmonConfigError extends Error {}

const OPTIONS = [
  'HashAlgorithms',
  'CheckRevocation',
  'DnsLookup',
  'ArchiveDirectory',
  'CaptureClipboard',
  'CopyOnDeletePE',
  'CopyOnDeleteSIDs',
  'CopyOnDeleteExtensions',
  'CopyOnDeleteProcesses',
  'DriverName',
  'FieldSizes',
];

export function parseSysmonConfig(path: string, xml: string, catalog: Catalog): SysmonConfig {
  const lineOf = (needle: string): string => {
    const i = xml.indexOf(needle);
    return i < 0 ? '' : ` at line ${xml.slice(0, i).split('\n').length}`;
  };
  const doc = parseXml(xml);
  const root = kids(doc, 'Sysmon')[0];
  if (!root) throw new SysmonConfigError('not a Sysmon configuration (no <Sysmon> root element)');
  const schemaVersion = attr(root, 'schemaversion') ?? '';
  if (!/^\d+\.\d+$/.test(schemaVersion)) throw new SysmonConfigError(`schemaversion "${schemaVersion}" is not a version number${lineOf('schemaversion')}`);

  const known = new Map<string, number[]>();
  for (const ev of catalog.sysmonEvents) if (ev.element) known.set(ev.element, [...(known.get(ev.element) ?? []), ev.id]);

  const config: SysmonConfig = { path, schemaVersion, elements: new Map(), options: {}, notes: [] };
  // The operators Sysmon accepts are catalog facts; the evaluator implements each (a test keeps them equal).
  const operators = new Set(catalog.sysmonConditions.map((c) => c.name));
  if (Number(schemaVersion) < 4) config.notes.push(`schemaversion ${schemaVersion}: Sysmon 7.0 and later refuse 3.x configurations`);
  for (const o of OPTIONS) {
    const v = childText(root, o);
    if (v !== undefined) config.options[o] = v;
  }

  const rulesOf = (element: string): ElementRules => {
    let r = config.elements.get(element);
    if (!r) config.elements.set(element, (r = { element, include: [], exclude: [], hasInclude: false, hasExclude: false, includeSets: 0, excludeSets: 0 }));
    return r;
  };

  const readCondition = (field: string, node: unknown): SysmonCondition => {
    const op = (attr(node, 'condition') || 'is').toLowerCase();
    if (!operators.has(op)) throw new SysmonConfigError(`unknown condition "${op}" on ${field}${lineOf(`condition="${attr(node, 'condition')}"`)}`);
    const value = typeof node === 'string' ? node : xmlText((node as XmlNode)['#text']);
    return { field, operator: op as SysmonOperator, value: decodeEntities(value.trim()) };
  };

  /** Reads one event element: its onmatch and its filters, split by the group's relation. */
  const readElement = (name: string, node: XmlNode, relation: 'and' | 'or', groupName?: string): void => {
    if (!known.has(name)) throw new SysmonConfigError(`unknown element <${name}>${lineOf(`<${name}`)}`);
    const onmatch = (attr(node, 'onmatch') ?? '').toLowerCase();
    if (onmatch !== 'include' && onmatch !== 'exclude') throw new SysmonConfigError(`<${name}> needs onmatch="include" or "exclude"${lineOf(`<${name}`)}`);
    const min = catalog.sysmonEvent(known.get(name)?.[0] ?? -1)?.minSchema;
    if (min && !schemaAtLeast(schemaVersion, min))
      config.notes.push(`<${name}> needs schemaversion ${min} or later: Sysmon rejects this file (schema ${schemaVersion})`);
    const rules = rulesOf(name);
    if (onmatch === 'include') {
      rules.hasInclude = true;
      rules.includeSets++;
    } else {
      rules.hasExclude = true;
      rules.excludeSets++;
    }
    const target = onmatch === 'include' ? rules.include : rules.exclude;
    const plain: SysmonCondition[] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@') || key === '#text') continue;
      const items = Array.isArray(value) ? value : [value];
      if (key === 'Rule') {
        for (const rule of items as XmlNode[]) {
          const rel = (attr(rule, 'groupRelation') ?? 'or').toLowerCase();
          const conds: SysmonCondition[] = [];
          for (const [f, v] of Object.entries(rule)) {
            if (f.startsWith('@') || f === '#text') continue;
            for (const c of Array.isArray(v) ? v : [v]) conds.push(readCondition(f, c));
          }
          const ruleName = attr(rule, 'name') ?? groupName;
          if (rel === 'and') target.push({ conditions: conds, name: ruleName });
          else for (const c of conds) target.push({ conditions: [c], name: ruleName });
        }
        continue;
      }
      for (const c of items) plain.push(readCondition(key, c));
    }
    if (!plain.length) return;
    if (relation === 'and') for (const conditions of andGroup(plain)) target.push({ conditions, name: groupName ?? attr(node, 'name') });
    else for (const c of plain) target.push({ conditions: [c], name: attr(node, 'name') ?? groupName });
  };
  // Without a RuleGroup, conditions combine by AND (same field: OR) from schema 4.2 on, by OR up to 4.1
  // (SysmonCommon xml.cpp: "Default to OR on 4.1 for backwards compatibility").
  const bareRelation: 'and' | 'or' = Number(schemaVersion) > 4.1 ? 'and' : 'or';

  const filtering = kids(root, 'EventFiltering')[0];
  if (!filtering) config.notes.push('no <EventFiltering>: every event type keeps its default');
  for (const [key, value] of Object.entries(filtering ?? {})) {
    if (key.startsWith('@') || key === '#text') continue;
    for (const node of (Array.isArray(value) ? value : [value]) as XmlNode[]) {
      if (key === 'RuleGroup') {
        const rel = (attr(node, 'groupRelation') ?? 'or').toLowerCase();
        if (rel !== 'and' && rel !== 'or') throw new SysmonConfigError(`groupRelation "${rel}" is neither "and" nor "or"${lineOf('groupRelation')}`);
        const types = Object.keys(node).filter((k) => !k.startsWith('@') && k !== '#text');
        if (types.length > 1)
          config.notes.push(
            `RuleGroup "${attr(node, 'name') ?? ''}" holds several event types (${types.join(', ')}); older Sysmon versions load only the first`,
          );
        for (const [el, evs] of Object.entries(node)) {
          if (el.startsWith('@') || el === '#text') continue;
          for (const ev of (Array.isArray(evs) ? evs : [evs]) as XmlNode[]) readElement(el, typeof ev === 'object' ? ev : {}, rel, attr(node, 'name'));
        }
      } else {
        readElement(key, typeof node === 'object' ? node : {}, bareRelation);
      }
    }
  }
  config.layout = sysmonLayout(xml);
  config.text = xml;
  return config;
}

/** "4.21" < "4.3": Sysmon reads schema versions as decimal numbers. */
export function schemaAtLeast(version: string, min: string): boolean {
  return Number(version) >= Number(min);
}

/** State of one event type under a configuration (see README "Sysmon"). */
export function eventState(config: SysmonConfig, eventId: number, catalog: Catalog): SysmonState {
  return eventStatus(config, eventId, catalog).state;
}

/** The state, and when the rules would log the type but a configuration entry it needs is missing, why not. */
export function eventStatus(config: SysmonConfig, eventId: number, catalog: Catalog): { state: SysmonState; gap?: OptionGap } {
  const ev = catalog.sysmonEvent(eventId);
  if (!ev) return { state: 'off' };
  if (!ev.element) return { state: 'on' }; // 4, 16, 255: always logged
  if (ev.minSchema && !schemaAtLeast(config.schemaVersion, ev.minSchema)) return { state: 'unsupported' };
  const state = ruleState(config.elements.get(ev.element), ev.loggedByDefault);
  const gap = state === 'off' ? undefined : optionGap(config, eventId, catalog);
  return gap ? { state: gap.state, gap } : { state };
}

function ruleState(r: ElementRules | undefined, loggedByDefault: boolean): SysmonState {
  if (!r) return loggedByDefault ? 'on' : 'off';
  // Several rule sets and none matching drops the event: two exclude sets and no include log nothing.
  if (!r.includeSets && r.excludeSets > 1) return 'off';
  if (r.include.length) return 'filtered';
  if (r.hasInclude) return 'off'; // an include element without filters includes nothing
  return 'on';
}

/**
 * Rules alone do not make Sysmon write some types: 24 needs the CaptureClipboard entry (catalog requiresOption).
 * Off when the config shows the entry absent, unknown when the input cannot show entries; undefined when set.
 */
export interface OptionGap {
  state: 'off' | 'unknown';
  option: string;
  reason: string;
}

function optionGap(config: SysmonConfig, eventId: number, catalog: Catalog): OptionGap | undefined {
  const option = catalog.sysmonEvent(eventId)?.requiresOption?.name;
  if (!option || config.options[option] !== undefined) return undefined;
  if (config.optionsUnseen)
    return {
      state: 'unknown',
      option,
      reason: `the input does not show whether ${option} is set (Sysmon writes no event ${eventId} without it): the config XML settles it`,
    };
  return { state: 'off', option, reason: `${option} is not set: Sysmon writes no event ${eventId} without it` };
}

/**
 * An "and" group: different fields must all hold, conditions on the same field are alternatives (SysmonCommon
 * rules.c). Spelled out as filters of one condition per field, at most 256 of them.
 */
function andGroup(conds: SysmonCondition[]): SysmonCondition[][] {
  const byField = new Map<string, SysmonCondition[]>();
  for (const c of conds) byField.set(c.field.toLowerCase(), [...(byField.get(c.field.toLowerCase()) ?? []), c]);
  let out: SysmonCondition[][] = [[]];
  for (const alts of byField.values()) {
    out = out.flatMap((prefix) => alts.map((c) => [...prefix, c])).slice(0, 256);
  }
  return out;
}
