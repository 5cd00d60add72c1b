/** Which objects each object-access subcategory covers (data/audit-objects.yaml): type and schema check. */
import { Checker, GUID_RE } from './validate.js';

export interface ObjectClass {
  id: string;
  /** A part of this class (files on removable media are files). */
  within?: string;
  objectTypes: string[];
  namePrefixes: string[];
  nameContains: string[];
  nameSuffixes: string[];
}

export interface ObjectFacts {
  /** Lower-case field names whose values name the object (ObjectName …) or its type (ObjectType). */
  nameFields: string[];
  typeFields: string[];
  /** In match order: a value takes the first class that matches it. */
  classes: ObjectClass[];
  /** Subcategory GUID (upper case) → the classes it covers. */
  routes: Map<string, string[]>;
}

export const NO_OBJECT_FACTS: ObjectFacts = { nameFields: [], typeFields: [], classes: [], routes: new Map() };

/** The snapshot is JSON: routes travel as [guid, classes] pairs. */
export type ObjectFactsJson = Omit<ObjectFacts, 'routes'> & { routes: [string, string[]][] };
export const objectFactsToJson = (f: ObjectFacts): ObjectFactsJson => ({ ...f, routes: [...f.routes] });
export const objectFactsFromJson = (j: ObjectFactsJson): ObjectFacts => ({ ...j, routes: new Map(j.routes) });

export function checkObjectFacts(doc: unknown, problems: string[]): ObjectFactsJson {
  const c = new Checker('audit-objects.yaml');
  c.onlyKeys(doc, 'top level', ['nameFields', 'typeFields', 'classes', 'routes']);
  const strings = (obj: unknown, where: string, key: string, optional = true): string[] => {
    const v = c.field<unknown[]>(obj, where, key, 'array', optional) ?? [];
    if (v.some((s) => typeof s !== 'string' || !s)) c.fail(where, `"${key}" should list non-empty strings`);
    return v.filter((s): s is string => typeof s === 'string' && s !== '');
  };
  const nameFields = strings(doc, 'top level', 'nameFields', false).map((f) => f.toLowerCase());
  const typeFields = strings(doc, 'top level', 'typeFields', false).map((f) => f.toLowerCase());
  const classes = (c.field<unknown[]>(doc, 'top level', 'classes', 'array') ?? []).map((e, i): ObjectClass => {
    const w = `classes[${i}]`;
    c.onlyKeys(e, w, ['id', 'within', 'objectTypes', 'namePrefixes', 'nameContains', 'nameSuffixes', 'source', 'note']);
    c.field(e, w, 'source', 'string');
    c.field(e, w, 'note', 'string', true);
    const within = c.field<string>(e, w, 'within', 'string', true);
    const lower = (k: string) => strings(e, w, k).map((s) => s.toLowerCase());
    return {
      id: c.field<string>(e, w, 'id', 'string') ?? '',
      ...(within ? { within } : {}),
      objectTypes: lower('objectTypes'),
      namePrefixes: lower('namePrefixes'),
      nameContains: lower('nameContains'),
      nameSuffixes: lower('nameSuffixes'),
    };
  });
  const ids = new Set(classes.map((k) => k.id));
  for (const k of classes) if (k.within && !ids.has(k.within)) c.fail(`class ${k.id}`, `within "${k.within}" is not a class`);
  const routes: [string, string[]][] = (c.field<unknown[]>(doc, 'top level', 'routes', 'array') ?? []).map((e, i) => {
    const w = `routes[${i}]`;
    c.onlyKeys(e, w, ['subcategory', 'objects', 'source', 'note']);
    c.field(e, w, 'source', 'string');
    c.field(e, w, 'note', 'string', true);
    const guid = c.field<string>(e, w, 'subcategory', 'string') ?? '';
    if (!GUID_RE.test(guid)) c.fail(w, `subcategory ${guid} is not an upper-case {GUID}`);
    const objects = strings(e, w, 'objects', false);
    for (const o of objects) if (!ids.has(o)) c.fail(w, `object class "${o}" is not in classes`);
    return [guid.toUpperCase(), objects];
  });
  problems.push(...c.problems);
  return { nameFields, typeFields, classes, routes };
}
