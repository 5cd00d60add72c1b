/**
 * ATT&CK data components per Sigma log source (data/attack-data-components.yaml): which component a rule's log
 * source gives evidence of. Read on demand by `check --format dettect` and `catalog export`, validated strictly
 * against the catalog (every log-source key must exist), as the baselines are.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazy } from '../lazy.js';
import { PACKAGE_DIR } from '../paths.js';
import type { Catalog } from './catalog.js';
import { CatalogError, Checker } from './validate.js';

export const DEFAULT_COMPONENTS_FILE = join(PACKAGE_DIR, 'data', 'attack-data-components.yaml');

export interface AttackComponent {
  /** MITRE's data component name, which DeTT&CT uses as data_source_name. */
  name: string;
  dataSource: string;
  /** ATT&CK data source ID (DS0009). */
  id: string;
  /** MITRE's repository file the component is defined in. */
  file: string;
  /** false: DeTT&CT does not know the name, so --format dettect leaves it out. */
  dettect: boolean;
  note?: string;
}

export interface ComponentMapping {
  /** Catalog key of the log source: windows/category/process_creation. */
  logsource: string;
  components: string[];
  /** documented: MITRE's description names this log source's event; judgement: ours (why says on what). */
  basis: 'documented' | 'judgement';
  why: string;
}

export interface AttackComponents {
  sources: { mitre: string; dettect: string };
  components: AttackComponent[];
  mappings: ComponentMapping[];
}

const yaml = lazy<typeof import('yaml')>('yaml');
const cache = new Map<string, AttackComponents>();

/** Throws CatalogError naming each problem; cached per file for the shipped one. */
export function loadAttackComponents(catalog: Catalog, file = DEFAULT_COMPONENTS_FILE): AttackComponents {
  const hit = cache.get(file);
  if (hit) return hit;
  let doc: unknown;
  try {
    doc = yaml().parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CatalogError([`attack-data-components.yaml: cannot load: ${(e as Error).message.split('\n')[0]}`]);
  }
  const out = readComponents(doc, catalog);
  if (file === DEFAULT_COMPONENTS_FILE) cache.set(file, out);
  return out;
}

export function readComponents(doc: unknown, catalog: Catalog): AttackComponents {
  const c = new Checker('attack-data-components.yaml');
  const top = 'top level';
  c.onlyKeys(doc, top, ['sources', 'components', 'mappings']);
  const src = c.field<Record<string, unknown>>(doc, top, 'sources', 'object') ?? {};
  c.onlyKeys(src, 'sources', ['mitre', 'dettect']);
  const url = (o: unknown, w: string, k: string): string => {
    const s = c.field<string>(o, w, k, 'string') ?? '';
    // Pinned to a commit: the facts are those of that version, not of whatever the branch holds later.
    if (s && !/^https:\/\/\S+\/[0-9a-f]{40}\//.test(s)) c.fail(w, `${k} "${s}" is not an https URL pinned to a commit`);
    return s;
  };
  const sources = { mitre: url(src, 'sources', 'mitre'), dettect: url(src, 'sources', 'dettect') };
  const components = (c.field<unknown[]>(doc, top, 'components', 'array') ?? []).map((o, i): AttackComponent => {
    const w = `components[${i}]`;
    c.onlyKeys(o, w, ['name', 'dataSource', 'id', 'file', 'dettect', 'note']);
    const id = c.field<string>(o, w, 'id', 'string') ?? '';
    if (id && !/^DS\d{4}$/.test(id)) c.fail(w, `id "${id}" is not a data source ID (DS0009)`);
    const note = c.field<string>(o, w, 'note', 'string', true);
    return {
      name: c.field<string>(o, w, 'name', 'string') ?? '',
      dataSource: c.field<string>(o, w, 'dataSource', 'string') ?? '',
      id,
      file: c.field<string>(o, w, 'file', 'string') ?? '',
      dettect: c.field<boolean>(o, w, 'dettect', 'boolean', true) ?? true,
      ...(note ? { note } : {}),
    };
  });
  const names = new Set(components.map((x) => x.name));
  if (names.size !== components.length) c.fail('components', 'a component name is listed twice');
  const mappings = (c.field<unknown[]>(doc, top, 'mappings', 'array') ?? []).map((o, i): ComponentMapping => {
    const w = `mappings[${i}]`;
    c.onlyKeys(o, w, ['logsource', 'components', 'basis', 'why']);
    const logsource = c.field<string>(o, w, 'logsource', 'string') ?? '';
    if (logsource && !catalog.entryByKey(logsource)) c.fail(w, `log source "${logsource}" is not in logsources.yaml`);
    const list = c.field<string[]>(o, w, 'components', 'array') ?? [];
    for (const n of list) if (!names.has(n)) c.fail(w, `component "${n}" is not listed under components`);
    const basis = c.field<string>(o, w, 'basis', 'string') ?? '';
    if (basis && basis !== 'documented' && basis !== 'judgement') c.fail(w, `basis "${basis}" is not documented or judgement`);
    const why = c.field<string>(o, w, 'why', 'string') ?? '';
    if (!why.trim()) c.fail(w, 'needs a why');
    return { logsource, components: list, basis: basis === 'judgement' ? 'judgement' : 'documented', why };
  });
  if (c.problems.length) throw new CatalogError(c.problems);
  return { sources, components, mappings };
}

/** Component names a log source key gives evidence of (several mapping rows may name one key). */
export function componentsOf(data: AttackComponents, logsourceKey: string): string[] {
  return [...new Set(data.mappings.filter((m) => m.logsource === logsourceKey).flatMap((m) => m.components))];
}
