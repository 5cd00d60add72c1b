/** sacls.txt of a host snapshot into host.objectSacls (kept apart from snapshot.ts: one reader, one file). */
import type { HostEnvironment, InputError } from './model.js';
import { parseSacls } from './sacls.js';

/** text: the snapshot's sacls.txt (undefined: not in the snapshot); where: its path, for the error line. */
export function readObjectSacls(host: HostEnvironment, text: string | undefined, where: string, errors: InputError[]): void {
  if (text === undefined) return;
  try {
    const s = parseSacls(text);
    for (const n of s.notes) host.notes.push(`sacls.txt: ${n}`);
    if (s.partial) errors.push({ path: where, message: `${s.partial}; read as partial: a watched path not read in full is unknown` });
    host.objectSacls = { ...s, source: 'sacls.txt' };
  } catch (e) {
    errors.push({ path: where, message: (e as Error).message });
  }
}
