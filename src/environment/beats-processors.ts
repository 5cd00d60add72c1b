/**
 * Beats / Elastic Agent processors (`processors:` of a winlogbeat event log, a Winlogbeat file, an Elastic Agent
 * input or stream): which event IDs they drop. A `drop_event` whose `when` tests the event ID is evaluated
 * exactly; any other test, and any processor that may drop events for reasons we cannot see (script,
 * rate_limit …), makes the IDs it may drop "possible", never "dropped" or "kept" by guess.
 *
 * Facts (data/collectors.yaml, beats): the condition operators and their dotted-key forms are libbeat's;
 * `winlog.event_id` is written as a string by current Winlogbeat, and `equals` with an integer matches only
 * integer values, so `equals: {winlog.event_id: 4688}` (unquoted) depends on the Beats version.
 */
import { ALL, NONE, complement, intersect, isAll, normalize, union, type Ranges } from './forwarded.js';
import { LIMITS } from '../limits.js';
import { scalar } from './scalar.js';

/** The event IDs a condition or processor list surely / possibly matches. */
export interface IdMatch {
  sure: Ranges;
  possible: Ranges;
  reasons: string[];
}

const NOTHING: IdMatch = { sure: NONE, possible: NONE, reasons: [] };

/** Fields that carry the event ID, as Winlogbeat writes them (strings). */
const ID_FIELDS = new Set(['winlog.event_id', 'event.code']);

/** Processors that never drop an event (they add, remove or rewrite fields); see data/collectors.yaml. */
export const NON_DROPPING = new Set([
  'add_cloud_metadata',
  'add_cloudfoundry_metadata',
  'add_docker_metadata',
  'add_nomad_metadata',
  'decode_cef',
  'decode_csv_fields',
  'decode_duration',
  'decompress_gzip_field',
  'dns',
  'parse_aws_vpc_flow_log',
  'add_fields',
  'add_host_metadata',
  'add_id',
  'add_kubernetes_metadata',
  'add_labels',
  'add_locale',
  'add_network_direction',
  'add_observer_metadata',
  'add_process_metadata',
  'add_tags',
  'append',
  'community_id',
  'convert',
  'copy_fields',
  'decode_base64_field',
  'decode_json_fields',
  'decode_xml',
  'decode_xml_wineventlog',
  'detect_mime_type',
  'dissect',
  'drop_fields',
  'extract_array',
  'fingerprint',
  'include_fields',
  'move_fields',
  'registered_domain',
  'rename',
  'replace',
  'syslog',
  'timestamp',
  'translate_ldap_attribute',
  'translate_sid',
  'truncate_fields',
  'urldecode',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `obj[key]`, also when written in dotted form: `{"when.equals.winlog.event_id": 1}` gives, for key `when`,
 * `{"equals.winlog.event_id": 1}` (go-ucfg expands dotted keys the same way).
 */
function member(obj: Obj, key: string): unknown {
  if (key in obj) return obj[key];
  const out: Obj = {};
  let found = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith(`${key}.`)) {
      out[k.slice(key.length + 1)] = v;
      found = true;
    }
  }
  return found ? out : undefined;
}

/** `{winlog: {event_id: 1}}` and `{"winlog.event_id": 1}` → [["winlog.event_id", 1]]; range bounds stay a leaf. */
function fields(v: unknown, prefix = '', depth = 0): [string, unknown][] {
  if (!isObj(v) || depth > LIMITS.collector.conditionDepth || (prefix && Object.keys(v).every((k) => ['gt', 'gte', 'lt', 'lte'].includes(k))))
    return [[prefix, v]];
  const out: [string, unknown][] = [];
  for (const [k, x] of Object.entries(v)) for (const f of fields(x, prefix ? `${prefix}.${k}` : k, depth + 1)) out.push(f);
  return out;
}

const unknown = (why: string): IdMatch => ({ sure: NONE, possible: ALL, reasons: [why] });
const exact = (r: Ranges): IdMatch => ({ sure: r, possible: r, reasons: [] });
const and = (a: IdMatch, b: IdMatch): IdMatch => ({
  sure: intersect(a.sure, b.sure),
  possible: intersect(a.possible, b.possible),
  reasons: [...a.reasons, ...b.reasons],
});
const or = (a: IdMatch, b: IdMatch): IdMatch => ({
  sure: union(a.sure, b.sure),
  possible: union(a.possible, b.possible),
  reasons: [...a.reasons, ...b.reasons],
});

function idOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** One condition (libbeat's equals, range, has_fields, or, and, not …) over the event ID. */
export function evaluateCondition(c: unknown, depth = 0): IdMatch {
  if (depth > LIMITS.collector.conditionDepth) return unknown(`condition nested deeper than ${LIMITS.collector.conditionDepth}`);
  if (!isObj(c)) return unknown('condition not understood');
  const ops = new Set(Object.keys(c).map((k) => k.split('.')[0] as string));
  if (ops.size !== 1) return unknown(`condition with ${ops.size ? [...ops].join(' and ') : 'no operator'}`);
  const op = [...ops][0] as string;
  const v = member(c, op);
  switch (op) {
    case 'or':
    case 'and': {
      if (!Array.isArray(v) || !v.length) return unknown(`${op} without a list`);
      return v.map((x) => evaluateCondition(x, depth + 1)).reduce((a, b) => (op === 'or' ? or(a, b) : and(a, b)));
    }
    case 'not': {
      const e = evaluateCondition(v, depth + 1);
      return { sure: complement(e.possible), possible: complement(e.sure), reasons: e.reasons };
    }
    case 'equals': {
      let acc: IdMatch = exact(ALL);
      for (const [f, x] of fields(v)) {
        if (!ID_FIELDS.has(f)) acc = and(acc, unknown(`equals on ${f}`));
        else if (idOf(x) === undefined) acc = and(acc, exact(NONE));
        else if (typeof x === 'number') {
          // An integer matches only an integer field; Winlogbeat writes the ID as a string (version-dependent).
          acc = and(acc, {
            sure: NONE,
            possible: [[x, x]],
            reasons: [`equals ${f}: ${x} unquoted (matches only where the Beats version writes the ID as a number)`],
          });
        } else acc = and(acc, exact([[idOf(x)!, idOf(x)!]]));
      }
      return acc;
    }
    case 'range': {
      let acc: IdMatch = exact(ALL);
      for (const [f, x] of fields(v)) {
        if (!ID_FIELDS.has(f) || !isObj(x)) {
          acc = and(acc, unknown(`range on ${f}`));
          continue;
        }
        let lo = 0;
        let hi = 65535;
        for (const [k, b] of Object.entries(x)) {
          const n = Number(b);
          if (!Number.isFinite(n)) return unknown(`range ${k} not a number`);
          if (k === 'gte') lo = Math.max(lo, Math.ceil(n));
          else if (k === 'gt') lo = Math.max(lo, Math.floor(n) + 1);
          else if (k === 'lte') hi = Math.min(hi, Math.floor(n));
          else if (k === 'lt') hi = Math.min(hi, Math.ceil(n) - 1);
        }
        acc = and(acc, exact(normalize([[lo, hi]])));
      }
      return acc;
    }
    case 'has_fields': {
      const list = Array.isArray(v) ? v : [];
      return list.length && list.every((f) => ID_FIELDS.has(scalar(f))) ? exact(ALL) : unknown('has_fields');
    }
    default:
      return unknown(`${op} condition`);
  }
}

/** The event IDs a processor list may drop, with why where not exact. `label` names the list in reasons. */
export function droppedBy(processors: unknown, label: string): IdMatch {
  if (processors === undefined || processors === null) return NOTHING;
  if (!Array.isArray(processors)) return unknown(`${label}: processors is not a list`);
  let acc: IdMatch = NOTHING;
  for (const p of processors.slice(0, LIMITS.collector.entries)) {
    if (!isObj(p)) continue;
    const names = new Set(Object.keys(p).map((k) => k.split('.')[0] as string));
    for (const name of names) {
      const body = member(p, name);
      if (name === 'drop_event') {
        const when = isObj(body) ? member(body, 'when') : undefined;
        // drop_event without `when` drops every event.
        const m = when === undefined ? exact(ALL) : evaluateCondition(when);
        acc = or(acc, { ...m, reasons: m.reasons.map((r) => `${label}: drop_event when ${r}`) });
      } else if (!NON_DROPPING.has(name)) acc = or(acc, unknown(`${label}: ${name} may drop events`));
    }
  }
  return { ...acc, reasons: [...new Set(acc.reasons)] };
}

/** What passes after the processors: surely kept = surely passed and surely not dropped. */
export function afterDrop(sure: Ranges, possible: Ranges, drop: IdMatch): { sure: Ranges; possible: Ranges } {
  if (!drop.possible.length) return { sure, possible };
  return { sure: intersect(sure, complement(drop.possible)), possible: intersect(possible, complement(drop.sure)) };
}

export const dropsAll = (d: IdMatch): boolean => isAll(d.sure);
