/** sacls.txt of a host snapshot into host.objectSacls (kept apart from snapshot.ts: one reader, one file). */
import { join } from 'node:path';
import type { HostEnvironment, InputError } from './model.js';
import { parseSacls } from './sacls.js';
import type { Snapshot } from './snapshot.js';

export function readObjectSacls(host: HostEnvironment, snap: Snapshot, errors: InputError[]): void {
  const text = snap.files.get('sacls.txt');
  if (text === undefined) return;
  const where = join(snap.path, 'sacls.txt');
  try {
    const s = parseSacls(text);
    for (const n of s.notes) host.notes.push(`sacls.txt: ${n}`);
    if (s.partial) errors.push({ path: where, message: `${s.partial}; read as partial: a watched path not read in full is unknown` });
    host.objectSacls = { ...s, source: 'sacls.txt' };
  } catch (e) {
    errors.push({ path: where, message: (e as Error).message });
  }
}
