/**
 * What a host's requirement states and verdicts are made of, as one string: every field of the host model
 * but its name, its files, its notes and conflicts, and the `source` each value quotes in its reasons. Two
 * hosts with the same fingerprint get the same states (the reasons name different files) and the same
 * verdicts, so a fleet of look-alike hosts is assessed once per distinct fingerprint.
 *
 * The walk is generic on purpose: a field added to the host model counts without anyone remembering to
 * add it here (test/unit/fingerprint.test.ts changes every field of a host and expects a new print).
 * Objects shared by the whole fleet (one Sysmon config, one forwarded set) count by identity.
 */
import type { HostEnvironment } from '../environment/model.js';

/** Fields that never decide a state: what the host is called and where its inputs and reasons come from. */
const LEFT_OUT = new Set(['name', 'files', 'notes', 'conflicts', 'source']);
/** Fleet-wide objects: compared by identity, not walked (a Sysmon config has thousands of filters). */
const BY_IDENTITY = new Set(['sysmon', 'forwarded']);

const ids = new WeakMap<object, number>();
let nextId = 0;

export function fingerprint(host: HostEnvironment): string {
  return walk(host);
}

function walk(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return `${v};`;
  if (v === undefined) return 'u';
  if (v === null) return 'n';
  let out: string;
  if (v instanceof Map) {
    out = 'M{';
    for (const [k, x] of v) out += walk(k) + walk(x);
  } else if (v instanceof Set) {
    out = 'S{';
    for (const x of v) out += walk(x);
  } else if (Array.isArray(v)) {
    out = '[';
    for (const x of v) out += walk(x);
    return `${out}]`;
  } else if (typeof v === 'object') {
    out = '{';
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k) || LEFT_OUT.has(k)) continue;
      const x = o[k];
      out += `${k}:${BY_IDENTITY.has(k) && typeof x === 'object' && x !== null ? `#${identity(x)};` : walk(x)}`;
    }
  } else return `?${typeof v}`; // functions, symbols, bigints: none in a host model
  return `${out}}`;
}

function identity(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}
