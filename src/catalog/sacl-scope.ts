/** Registry trees and folders never audited with inheritance (data/sacl-scope.yaml): type and schema check. */
import { Checker } from './validate.js';

export interface BroadPath {
  /** HKLM\… key or C:\… folder, as written in the file. */
  path: string;
  reason: string;
  /** Every key / folder below it churns too: none below it is audited with inheritance either. */
  subtree?: boolean;
}

export interface SaclScope {
  registry: BroadPath[];
  folders: BroadPath[];
}

export const NO_SACL_SCOPE: SaclScope = { registry: [], folders: [] };

export function checkSaclScope(doc: unknown, problems: string[]): SaclScope {
  const c = new Checker('sacl-scope.yaml');
  c.onlyKeys(doc, 'top level', ['registry', 'folders']);
  const read = (list: string, key: 'key' | 'path', shape: RegExp): BroadPath[] =>
    (c.field<unknown[]>(doc, 'top level', list, 'array') ?? []).flatMap((e, i) => {
      const w = `${list}[${i}]`;
      c.onlyKeys(e, w, [key, 'reason', 'subtree']);
      const path = c.field<string>(e, w, key, 'string');
      const reason = c.field<string>(e, w, 'reason', 'string');
      const subtree = c.field<boolean>(e, w, 'subtree', 'boolean', true);
      if (path !== undefined && !shape.test(path))
        c.fail(w, `"${key}" should look like ${list === 'registry' ? 'HKLM\\…' : 'C:\\…'}, got ${JSON.stringify(path)}`);
      if (reason !== undefined && !reason.trim()) c.fail(w, 'has an empty reason');
      return path !== undefined && reason ? [{ path, reason, ...(subtree ? { subtree } : {}) }] : [];
    });
  const out = { registry: read('registry', 'key', /^HKLM\\[^\\]/), folders: read('folders', 'path', /^[A-Z]:\\[^\\]/) };
  problems.push(...c.problems);
  return out;
}
