/**
 * The facts field evidence is judged by (data/evidence-inference.yaml): thresholds, System fields, Sigma → event
 * field names, fields every record of an event carries and the setting that fills them, and the inferences.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checker } from '../catalog/validate.js';
import { lazy } from '../lazy.js';
import { channelKey } from '../observe/channels.js';
import { PACKAGE_DIR } from '../paths.js';

export interface FieldFacts {
  thresholds: { emptyBelow: number; onAtLeast: number; offAtMost: number };
  /** Sigma fields of the event's System part (lower case): never in field evidence, never judged. */
  system: Set<string>;
  /** channelKey|eventId → Sigma field (lower case) → the event's field name. */
  names: Map<string, Map<string, string>>;
  /** channelKey|eventId → the event's field name (lower case) → its fact (the setting that fills it, if any). */
  known: Map<string, Map<string, { setting?: string; settingText?: string }>>;
  inferences: { setting: string; channel: string; events: number[]; field: string }[];
  hashValues: { channel: string; events: number[]; field: string; algorithms: string[] };
}

const yaml = lazy<typeof import('yaml')>('yaml');
let facts: FieldFacts | undefined;
/** The key of one channel and event ID in the facts and the field index. */
export const fieldKey = (channel: string, id: number) => `${channelKey(channel)}|${id}`;

/** data/evidence-inference.yaml, read and checked once; a malformed file is an internal error (exit 3). */
export function fieldFacts(path?: string): FieldFacts {
  if (facts && !path) return facts;
  const file = path ?? join(PACKAGE_DIR, 'data', 'evidence-inference.yaml');
  const d = yaml().parse(readFileSync(file, 'utf8')) as unknown;
  const c = new Checker('evidence-inference.yaml');
  c.onlyKeys(d, 'file', ['thresholds', 'systemFields', 'names', 'fields', 'inferences', 'hashValues', 'notDrawn']);
  const t = c.field<Record<string, number>>(d, 'file', 'thresholds', 'object') ?? {};
  const num = (k: string) => {
    const v = c.field<number>(t, 'thresholds', k, 'number');
    if (v !== undefined && (v < 0 || v > 100)) c.fail('thresholds', `${k} must be a percentage`);
    return v ?? 0;
  };
  const out: FieldFacts = {
    thresholds: { emptyBelow: num('emptyBelow'), onAtLeast: num('onAtLeast'), offAtMost: num('offAtMost') },
    system: new Set(),
    names: new Map(),
    known: new Map(),
    inferences: [],
    hashValues: { channel: '', events: [], field: '', algorithms: [] },
  };
  const sys = c.field<unknown>(d, 'file', 'systemFields', 'object');
  c.onlyKeys(sys, 'systemFields', ['names', 'source', 'note']);
  c.field<string>(sys, 'systemFields', 'source', 'string');
  for (const x of c.field<unknown[]>(sys, 'systemFields', 'names', 'array') ?? []) out.system.add(String(x).toLowerCase());
  const events = (o: unknown, where: string) => {
    const ch = c.field<string>(o, where, 'channel', 'string') ?? '';
    const ids = c.field<number[]>(o, where, 'events', 'array') ?? [];
    if (!ids.every((x) => Number.isInteger(x))) c.fail(where, 'events must be event IDs');
    c.field<string>(o, where, 'source', 'string');
    return { ch, ids };
  };
  (c.field<unknown[]>(d, 'file', 'names', 'array') ?? []).forEach((e, i) => {
    const w = `names[${i}]`;
    c.onlyKeys(e, w, ['channel', 'events', 'map', 'source', 'note']);
    const { ch, ids } = events(e, w);
    const map = c.field<Record<string, string>>(e, w, 'map', 'object') ?? {};
    for (const id of ids) {
      const m = out.names.get(fieldKey(ch, id)) ?? new Map<string, string>();
      for (const [sigma, own] of Object.entries(map)) m.set(sigma.toLowerCase(), String(own));
      out.names.set(fieldKey(ch, id), m);
    }
  });
  (c.field<unknown[]>(d, 'file', 'fields', 'array') ?? []).forEach((e, i) => {
    const w = `fields[${i}]`;
    c.onlyKeys(e, w, ['channel', 'events', 'field', 'setting', 'settingText', 'source', 'note']);
    const { ch, ids } = events(e, w);
    const field = c.field<string>(e, w, 'field', 'string') ?? '';
    const setting = c.field<string>(e, w, 'setting', 'string', true);
    const settingText = c.field<string>(e, w, 'settingText', 'string', true);
    for (const id of ids) {
      const m = out.known.get(fieldKey(ch, id)) ?? new Map<string, { setting?: string; settingText?: string }>();
      m.set(field.toLowerCase(), { ...(setting ? { setting } : {}), ...(settingText ? { settingText } : {}) });
      out.known.set(fieldKey(ch, id), m);
    }
  });
  (c.field<unknown[]>(d, 'file', 'inferences', 'array') ?? []).forEach((e, i) => {
    const w = `inferences[${i}]`;
    c.onlyKeys(e, w, ['setting', 'channel', 'events', 'field', 'source', 'note']);
    const { ch, ids } = events(e, w);
    out.inferences.push({
      setting: c.field<string>(e, w, 'setting', 'string') ?? '',
      channel: ch,
      events: ids,
      field: c.field<string>(e, w, 'field', 'string') ?? '',
    });
  });
  const h = c.field<unknown>(d, 'file', 'hashValues', 'object');
  if (h) {
    c.onlyKeys(h, 'hashValues', ['channel', 'events', 'field', 'algorithms', 'source', 'note']);
    const { ch, ids } = events(h, 'hashValues');
    out.hashValues = {
      channel: ch,
      events: ids,
      field: c.field<string>(h, 'hashValues', 'field', 'string') ?? '',
      algorithms: c.field<string[]>(h, 'hashValues', 'algorithms', 'array') ?? [],
    };
  }
  (c.field<unknown[]>(d, 'file', 'notDrawn', 'array') ?? []).forEach((e, i) => {
    c.onlyKeys(e, `notDrawn[${i}]`, ['setting', 'channel', 'events', 'reason', 'source']);
    c.field<string>(e, `notDrawn[${i}]`, 'reason', 'string');
    events(e, `notDrawn[${i}]`);
  });
  if (c.problems.length) throw new Error(c.problems.join('\n'));
  if (!path) facts = out;
  return out;
}
