/**
 * Published logging baselines (data/baselines/*.yaml): what Microsoft, Yamato Security … recommend a host audits
 * and logs. Read and validated here against the catalog (subcategory GUIDs, log names, policy slugs, channels),
 * strictly: a baseline that loads is one every comparison can trust. Schema: data/README.md, "baselines/".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lazy.js';
import { PACKAGE_DIR } from '../paths.js';
import type { Catalog } from './catalog.js';
import { CatalogError, Checker, GUID_RE } from './validate.js';
import { append } from '../lines.js';
import { ROLES as FEATURES } from './catalog.js';
import { readRecorded } from './baseline-recorded.js';

export type { BaselineForward, BaselineSacl } from './baseline-recorded.js';
export { baselineFamilies, baselineFamily, familyMember } from './baseline-family.js';

import type { Baseline, BaselineKind, BaselineRole, Provenance, Want } from './baseline-types.js';

export type { Baseline, BaselineAudit, BaselineChannel, BaselineKind, BaselineLog, BaselinePolicy, BaselineRole, Provenance, Want } from './baseline-types.js';

export const DEFAULT_BASELINE_DIR = join(PACKAGE_DIR, 'data', 'baselines');

const ROLES: readonly BaselineRole[] = ['workstation', 'member-server', 'domain-controller'];
const KINDS: readonly BaselineKind[] = ['audit', 'logs', 'policies', 'channels'];

const yaml = lazy<typeof import('yaml')>('yaml');
const cache = new Map<string, Baseline[]>();

/** Every baseline in `dir`, sorted by name; throws CatalogError naming each file and problem. */
export function loadBaselines(catalog: Catalog, dir = DEFAULT_BASELINE_DIR): Baseline[] {
  const hit = cache.get(dir);
  if (hit && dir === DEFAULT_BASELINE_DIR) return hit;
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
  } catch (e) {
    throw new CatalogError([`baselines: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  const problems: string[] = [];
  const out: Baseline[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = yaml().parse(readFileSync(join(dir, file), 'utf8'));
    } catch (e) {
      problems.push(`baselines/${file}: cannot load: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    append(out, readFile(file, doc, catalog, problems));
  }
  const seen = new Set<string>();
  for (const b of out) {
    if (seen.has(b.name)) problems.push(`baselines/${b.file}: baseline name "${b.name}" is defined twice`);
    seen.add(b.name);
  }
  if (problems.length) throw new CatalogError(problems);
  out.sort((a, b) => a.name.localeCompare(b.name));
  if (dir === DEFAULT_BASELINE_DIR) cache.set(dir, out);
  return out;
}

export function findBaseline(list: Baseline[], name: string): Baseline | undefined {
  return list.find((b) => b.name === name.trim().toLowerCase());
}

interface Head {
  name: string;
  title: string;
  variant?: string;
  role?: BaselineRole;
  feature?: string;
}

/**
 * One file: its baselines (one per variant) sharing the file's settings, each value picked for its variant.
 * label: how problems name the file (a user's own file, baseline-file.ts, is named by its path).
 */
export function readFile(file: string, doc: unknown, catalog: Catalog, problems: string[], label = `baselines/${file}`): Baseline[] {
  const c = new Checker(label);
  const top = 'top level';
  c.onlyKeys(doc, top, ['baselines', 'publisher', 'version', 'source', 'covers', 'audit', 'logs', 'policies', 'channels', 'sacls', 'forwards', 'note']);
  const publisher = c.field<string>(doc, top, 'publisher', 'string') ?? '';
  const version = c.field<string>(doc, top, 'version', 'string') ?? '';
  const source = c.field<string>(doc, top, 'source', 'string') ?? '';
  if (source && !/^https:\/\/\S+$/.test(source)) c.fail(top, `source "${source}" is not an https URL`);
  const heads = readHeads(c, doc);
  const covers = (c.field<string[]>(doc, top, 'covers', 'array') ?? []).filter((k): k is BaselineKind => {
    if ((KINDS as readonly string[]).includes(k)) return true;
    c.fail(top, `covers "${k}" is not one of ${KINDS.join(', ')}`);
    return false;
  });
  const variants = heads.flatMap((h) => (h.variant ? [h.variant] : []));
  const prov = (o: unknown, w: string): Provenance => {
    const s = c.field<string>(o, w, 'source', 'string', true);
    if (s !== undefined && !/^https:\/\/\S+$/.test(s)) c.fail(w, `source "${s}" is not an https URL`);
    const note = c.field<string>(o, w, 'note', 'string', true);
    return { source: s ?? source, version: c.field<string>(o, w, 'version', 'string', true) ?? version, ...(note ? { note } : {}) };
  };
  const list = (key: BaselineKind): unknown[] => {
    const l = c.field<unknown[]>(doc, top, key, 'array', true) ?? [];
    if (l.length && !covers.includes(key)) c.fail(top, `lists ${key} but "covers" does not name them`);
    return l;
  };

  // Per setting, per variant: the value, or undefined when the setting is `only` for other variants.
  const audit = list('audit').map((a, i) => {
    const w = `audit[${i}]`;
    c.onlyKeys(a, w, ['guid', 'name', 'success', 'failure', 'only', 'source', 'version', 'note']);
    const guid = (c.field<string>(a, w, 'guid', 'string') ?? '').toUpperCase();
    const name = c.field<string>(a, w, 'name', 'string') ?? '';
    const sub = catalog.subcategory(guid);
    if (guid && !GUID_RE.test(guid)) c.fail(w, `guid ${guid} is not a {GUID}`);
    else if (guid && !sub) c.fail(w, `unknown audit subcategory ${guid}`);
    else if (sub && name && name !== sub.name && name !== sub.auditpolName) c.fail(w, `name "${name}" is not the name of ${guid} ("${sub.name}")`);
    const only = readOnly(c, a, w, variants);
    return {
      guid,
      name: sub?.name ?? name,
      only,
      success: readWant(c, a, w, 'success', variants),
      failure: readWant(c, a, w, 'failure', variants),
      prov: prov(a, w),
    };
  });
  const dup = audit.map((a) => a.guid).filter((g, i, all) => g && all.indexOf(g) !== i);
  for (const g of new Set(dup)) c.fail('audit', `subcategory ${g} is listed twice`);

  const logNames = new Map(catalog.eventLogs.map((l) => [l.log.toLowerCase(), l.log]));
  const logs = list('logs').map((l, i) => {
    const w = `logs[${i}]`;
    c.onlyKeys(l, w, ['log', 'maxSizeKB', 'retention', 'source', 'version', 'note']);
    const raw = c.field<string>(l, w, 'log', 'string') ?? '';
    const log = logNames.get(raw.toLowerCase());
    if (raw && !log) c.fail(w, `log "${raw}" is not in eventlog.yaml (${[...logNames.values()].join(', ')})`);
    const maxSizeKB = c.field<number>(l, w, 'maxSizeKB', 'number', true);
    if (maxSizeKB !== undefined && (!Number.isInteger(maxSizeKB) || maxSizeKB < 64 || maxSizeKB > 2147483647))
      c.fail(w, `maxSizeKB ${maxSizeKB} is not a whole number of KB from 64 to 2147483647`);
    const retention = c.field<number>(l, w, 'retention', 'number', true);
    if (retention !== undefined && ![0, 1, 2].includes(retention)) c.fail(w, `retention ${retention} is not 0, 1 or 2`);
    if (maxSizeKB === undefined && retention === undefined) c.fail(w, 'sets neither maxSizeKB nor retention');
    return { log: log ?? raw, ...(maxSizeKB !== undefined ? { maxSizeKB } : {}), ...(retention !== undefined ? { retention } : {}), ...prov(l, w) };
  });

  const policies = list('policies').map((p, i) => {
    const w = `policies[${i}]`;
    c.onlyKeys(p, w, ['id', 'only', 'source', 'version', 'note']);
    const id = c.field<string>(p, w, 'id', 'string') ?? '';
    const pol = catalog.policy(id);
    if (id && !pol) c.fail(w, `unknown policy "${id}" (slugs of policies.yaml)`);
    return { setting: { id, name: pol?.name ?? id, ...prov(p, w) }, only: readOnly(c, p, w, variants) };
  });

  const known = new Map<string, string>();
  for (const e of catalog.logsources) for (const s of e.sources) if (s.producer === 'channel' && s.channel) known.set(s.channel.toLowerCase(), s.channel);
  const channels = list('channels').map((ch, i) => {
    const w = `channels[${i}]`;
    c.onlyKeys(ch, w, ['name', 'source', 'version', 'note']);
    const raw = c.field<string>(ch, w, 'name', 'string') ?? '';
    const name = known.get(raw.toLowerCase());
    if (raw && !name) c.fail(w, `channel "${raw}" is not a disabled-by-default channel of logsources.yaml`);
    return { name: name ?? raw, ...prov(ch, w) };
  });
  const { sacls, forwards } = readRecorded(c, doc);
  append(problems, c.problems);

  return heads.map((h) => {
    const pick = (v: Want | Record<string, Want>): Want => (typeof v === 'string' ? v : (v[h.variant ?? ''] ?? 'any'));
    return {
      name: h.name,
      title: h.title,
      publisher,
      version,
      source,
      file,
      ...(h.role ? { role: h.role } : {}),
      ...(h.feature ? { feature: h.feature } : {}),
      covers,
      audit: audit
        .filter((a) => !a.only || (h.variant !== undefined && a.only.includes(h.variant)))
        .map((a) => ({ guid: a.guid, name: a.name, success: pick(a.success), failure: pick(a.failure), ...a.prov })),
      logs,
      policies: policies.filter((p) => !p.only || (h.variant !== undefined && p.only.includes(h.variant))).map((p) => p.setting),
      channels,
      ...(sacls.length ? { sacls } : {}),
      ...(forwards.length ? { forwards } : {}),
    };
  });
}

function readHeads(c: Checker, doc: unknown): Head[] {
  const list = c.field<unknown[]>(doc, 'top level', 'baselines', 'array') ?? [];
  if (!list.length) c.fail('baselines', 'names no baseline');
  const heads = list.map((h, i) => {
    const w = `baselines[${i}]`;
    c.onlyKeys(h, w, ['name', 'title', 'variant', 'role', 'feature']);
    const name = c.field<string>(h, w, 'name', 'string') ?? '';
    if (name && !/^[a-z0-9][a-z0-9-]*$/.test(name)) c.fail(w, `name "${name}" is not a lower-case slug`);
    const role = c.field<string>(h, w, 'role', 'string', true);
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) c.fail(w, `role "${role}" is not one of ${ROLES.join(', ')}`);
    const variant = c.field<string>(h, w, 'variant', 'string', true);
    const feature = c.field<string>(h, w, 'feature', 'string', true);
    if (feature !== undefined && !(FEATURES as readonly string[]).includes(feature))
      c.fail(w, `feature "${feature}" is not a role of the catalog (${FEATURES.join(', ')})`);
    return {
      name,
      title: c.field<string>(h, w, 'title', 'string') ?? '',
      ...(variant ? { variant } : {}),
      ...(role ? { role: role as BaselineRole } : {}),
      ...(feature ? { feature } : {}),
    };
  });
  // One baseline needs no variant; several share the settings and each needs its own variant key.
  if (heads.length > 1 && heads.some((h) => !h.variant)) c.fail('baselines', 'several baselines in one file each need a variant');
  const vs = heads.map((h) => h.variant).filter(Boolean);
  if (new Set(vs).size !== vs.length) c.fail('baselines', 'variant names repeat');
  return heads;
}

const WANTS: Record<string, Want> = { true: 'on', false: 'off', any: 'any' };

/** `true` | `false` | `any`, or a map with exactly one such value per variant. */
function readWant(c: Checker, o: unknown, w: string, key: 'success' | 'failure', variants: string[]): Want | Record<string, Want> {
  const v = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  const one = (x: unknown, where: string): Want => {
    const want = WANTS[String(x)];
    if (!want || (typeof x !== 'boolean' && x !== 'any')) c.fail(where, `${key} ${JSON.stringify(x)} is not true, false or any`);
    return want ?? 'any';
  };
  if (v === undefined) {
    c.fail(w, `lacks "${key}" (true, false or any)`);
    return 'any';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return one(v, w);
  const map = v as Record<string, unknown>;
  const keys = Object.keys(map);
  if (!variants.length) c.fail(w, `${key} has per-variant values but the file defines one baseline`);
  else if (keys.length !== variants.length || variants.some((x) => !keys.includes(x)))
    c.fail(w, `${key} must give a value for each variant (${variants.join(', ')})`);
  return Object.fromEntries(keys.map((k) => [k, one(map[k], `${w}.${key}.${k}`)]));
}

function readOnly(c: Checker, o: unknown, w: string, variants: string[]): string[] | undefined {
  const only = c.field<string[]>(o, w, 'only', 'array', true);
  if (!only) return undefined;
  for (const v of only) if (!variants.includes(v)) c.fail(w, `only names "${v}", not a variant of this file (${variants.join(', ') || 'none'})`);
  return only;
}
