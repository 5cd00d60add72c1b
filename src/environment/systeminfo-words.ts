/**
 * data/systeminfo.yaml: systeminfo's labels and "OS Configuration" values in the languages seen in real
 * captures, with where each was seen. Read once, when a systeminfo output is first read.
 *
 * Matching tolerates what consoles do to non-ASCII letters: an OEM code page byte read as UTF-8 becomes U+FFFD,
 * a UTF-8 letter read as a one-byte code page becomes two characters, cmd's conversion prints "?". A value
 * whose known spelling is mostly ASCII ("Estación de trabajo independiente") is still recognised with its
 * accented letters damaged; one that is all Cyrillic or Chinese is not (nothing of it is left to compare).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lazy.js';
import { PACKAGE_DIR } from '../paths.js';
import type { HostRole } from './systeminfo-facts.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export type Field = 'computer' | 'osName' | 'osVersion' | 'osConfiguration' | 'domain';
export const FIELDS: readonly Field[] = ['computer', 'osName', 'osVersion', 'osConfiguration', 'domain'];
const ROLES: readonly HostRole[] = ['workstation', 'member-server', 'standalone-server', 'domain-controller', 'standalone-workstation'];

interface Word {
  text: string;
  lang: string;
}

export interface SysteminfoWords {
  positions: Record<Field, number>;
  /** A label (normalised) → its field and language. */
  label(text: string): { field: Field; lang: string; damaged: boolean } | undefined;
  /** An OS Configuration value → role. */
  role(text: string): { role: HostRole; lang: string; damaged: boolean } | undefined;
}

let cached: SysteminfoWords | undefined;

export function systeminfoWords(dataDir = join(PACKAGE_DIR, 'data')): SysteminfoWords {
  if (cached && dataDir === join(PACKAGE_DIR, 'data')) return cached;
  const file = join(dataDir, 'systeminfo.yaml');
  const doc = yaml().parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const bad = (what: string) => new Error(`${file}: ${what}`);
  const fields = doc.fields as Record<string, unknown>;
  const positions = {} as Record<Field, number>;
  for (const f of FIELDS) {
    if (typeof fields?.[f] !== 'number') throw bad(`fields.${f} must be a number`);
    positions[f] = fields[f];
  }
  const labels: (Word & { field: Field })[] = [];
  const labelDoc = doc.labels as Record<string, unknown>;
  for (const f of FIELDS) {
    for (const w of (labelDoc?.[f] ?? []) as Record<string, unknown>[]) {
      if (typeof w.text !== 'string' || typeof w.lang !== 'string' || typeof w.source !== 'string')
        throw bad(`labels.${f}: every entry needs text, lang and source`);
      labels.push({ field: f, text: w.text, lang: w.lang });
    }
  }
  const roles: (Word & { role: HostRole })[] = [];
  for (const w of (doc.roles ?? []) as Record<string, unknown>[]) {
    if (typeof w.text !== 'string' || typeof w.lang !== 'string' || typeof w.source !== 'string' || !ROLES.includes(w.role as HostRole))
      throw bad(`roles: every entry needs text, lang, source and a role of ${ROLES.join(', ')}`);
    roles.push({ text: w.text, lang: w.lang, role: w.role as HostRole });
  }
  const labelMatch = matcher(labels);
  const roleMatch = matcher(roles);
  const words: SysteminfoWords = {
    positions,
    label: (t) => {
      const m = labelMatch(t);
      return m && { field: m.word.field, lang: m.word.lang, damaged: m.damaged };
    },
    role: (t) => {
      const m = roleMatch(t);
      return m && { role: m.word.role, lang: m.word.lang, damaged: m.damaged };
    },
  };
  if (dataDir === join(PACKAGE_DIR, 'data')) cached = words;
  return words;
}

export function normalise(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Exact (normalised) match first; then, for text showing code page damage, the known spellings that survive it. */
function matcher<W extends Word>(words: W[]): (text: string) => { word: W; damaged: boolean } | undefined {
  const exact = new Map(words.map((w) => [normalise(w.text), w]));
  const tolerant = words
    .filter((w) => {
      const ascii = w.text.replace(/[^A-Za-z]/g, '').length;
      return ascii >= 4 && ascii >= 0.8 * w.text.replace(/[\s\p{P}]/gu, '').length;
    })
    .map((w) => ({
      w,
      re: new RegExp(`^${[...normalise(w.text)].map((c) => (/[ -~]/.test(c) ? c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : '[^ -~]{1,3}')).join('')}$`),
    }));
  return (text) => {
    const n = normalise(text);
    const w = exact.get(n);
    if (w) return { word: w, damaged: false };
    if (!/[^ -~]|\?/.test(n)) return undefined; // plain ASCII that is not a known spelling
    const d = n.replace(/\?/g, '\uFFFD');
    const hit = tolerant.find(({ re }) => re.test(d));
    return hit && { word: hit.w, damaged: true };
  };
}
