/**
 * data/evidence-fields.yaml: the few fields whose values show a setting (the algorithms in Sysmon's Hashes),
 * read once. Every other field is only told present or empty; these are decoded and cut into tokens, each
 * counted once per record (ObservedCount.values).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lazy.js';
import { codeFile, PACKAGE_DIR } from '../paths.js';

const yaml = lazy<typeof import('yaml')>('yaml');

/** How a value becomes tokens. */
export type TokenRule = 'names-before-equals';
const RULES: readonly TokenRule[] = ['names-before-equals'];

export interface ValueField {
  channel: string;
  eventIds: number[];
  field: string;
  tokens: TokenRule;
  source: string;
}

export interface EvidenceFields {
  fields: ValueField[];
  /** Names of the fields whose values are decoded (for any channel: the reader knows names before channels). */
  names: ReadonlySet<string>;
  /** The entry for a record's field, or undefined when its values are not counted. */
  lookup(channel: string, eventId: number, field: string): ValueField | undefined;
}

const DEFAULT_FILE = join(PACKAGE_DIR, 'data', 'evidence-fields.yaml');
/**
 * Written by `npm run build` (src/catalog/build-snapshot.ts): the checked entries as JSON with a hash of the
 * YAML. Loading the yaml package costs more than reading every shared EVTX sample, so a run whose YAML still
 * matches the hash reads the JSON.
 */
const SNAPSHOT = codeFile('evidence-fields-snapshot.json');
let cached: EvidenceFields | undefined;

/** Reads and checks the file; a missing or malformed one is an internal error (exit 3), not a guess. */
export function evidenceFields(file = DEFAULT_FILE): EvidenceFields {
  if (cached && file === DEFAULT_FILE) return cached;
  const text = readFileSync(file, 'utf8');
  const hash = createHash('sha1').update(text).digest('hex');
  let fields: ValueField[] | undefined;
  if (file === DEFAULT_FILE) {
    try {
      const snap = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { hash: string; fields: ValueField[] };
      if (snap.hash === hash) fields = snap.fields;
    } catch {
      // no build snapshot (running from src/) or a stale one: the YAML is read
    }
  }
  const result = fromFields(fields ?? checkFields(text, file));
  if (file === DEFAULT_FILE) cached = result;
  return result;
}

/** Checks data/evidence-fields.yaml and writes the snapshot next to the compiled code (the build runs this). */
export function writeEvidenceFieldsSnapshot(file = DEFAULT_FILE): string {
  const text = readFileSync(file, 'utf8');
  writeFileSync(SNAPSHOT, JSON.stringify({ hash: createHash('sha1').update(text).digest('hex'), fields: checkFields(text, file) }));
  return SNAPSHOT;
}

function checkFields(text: string, file: string): ValueField[] {
  const doc = yaml().parse(text) as { fields?: unknown };
  if (!Array.isArray(doc?.fields)) throw new Error(`${file}: fields must be a list`);
  const fields: ValueField[] = [];
  for (const [i, f] of (doc.fields as Record<string, unknown>[]).entries()) {
    const ok =
      typeof f?.channel === 'string' &&
      typeof f.field === 'string' &&
      typeof f.source === 'string' &&
      /^https:\/\//.test(f.source) &&
      RULES.includes(f.tokens as TokenRule) &&
      Array.isArray(f.eventIds) &&
      f.eventIds.length > 0 &&
      f.eventIds.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff);
    if (!ok) throw new Error(`${file}: fields[${i}] needs channel, eventIds (event IDs), field, tokens (${RULES.join(', ')}) and source (a URL)`);
    fields.push({
      channel: f.channel as string,
      eventIds: f.eventIds as number[],
      field: f.field as string,
      tokens: f.tokens as TokenRule,
      source: f.source as string,
    });
  }
  return fields;
}

function fromFields(fields: ValueField[]): EvidenceFields {
  const byKey = new Map<string, ValueField>();
  for (const f of fields) for (const id of f.eventIds) byKey.set(`${channelKey(f.channel)}\n${id}\n${f.field}`, f);
  return {
    fields,
    names: new Set(fields.map((f) => f.field)),
    lookup: (channel, eventId, field) => byKey.get(`${channelKey(channel)}\n${eventId}\n${field}`),
  };
}

/** A value's tokens by its rule, each once; a token longer than a name can be (32 characters) is left out. */
export function valueTokens(rule: TokenRule, text: string): string[] {
  const out: string[] = [];
  if (rule === 'names-before-equals') {
    for (const pair of text.split(',')) {
      const eq = pair.indexOf('=');
      const name = eq > 0 ? pair.slice(0, eq).trim() : '';
      if (name && name.length <= 32 && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

/** Channels compare as observe/channels.ts channelKey does (trimmed, case-insensitive); catalog sits below observe. */
function channelKey(channel: string): string {
  return channel.trim().toLowerCase();
}
