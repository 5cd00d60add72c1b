/**
 * Reads the --observed inputs: files, or folders walked recursively (*.evtx → the EVTX reader, *.csv → event
 * counts, *.json → an Elasticsearch/OpenSearch response). A file that cannot be used is one error naming it;
 * the others are still read. Counts of the same (computer, channel, provider, event ID) are added up.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeText } from '../io/decode.js';
import { LIMITS, LimitError, readRegular } from '../limits.js';
import { errnoMessage, statArgument } from '../io/files.js';
import { channelKey } from './channels.js';
import { addObserved } from './merge.js';
import { parseObservedJson } from './elastic-fields.js';
import { parseObservedCsv, readObservedCsvFile } from './fields-csv.js';
import { readEvtxFile } from './evtx.js';
import type { ObservedCount, Observations } from './model.js';
import { append } from '../lines.js';

export interface ObservationLoad extends Observations {
  /** Arguments that do not exist: the invocation is unusable. */
  missing: string[];
  /** Files read per kind of input ("EVTX", "Splunk stats CSV" …). */
  kinds: Record<string, number>;
  /** Event records (EVTX) or events counted (exports) over every input. */
  events: number;
}

const KNOWN = /\.(evtx|csv|json)$/i;

export function loadObservations(paths: readonly string[]): ObservationLoad {
  const out: ObservationLoad = { sources: [], counts: [], notes: [], errors: [], missing: [], kinds: {}, events: 0 };
  const merged = new Map<string, ObservedCount>();
  let full = false;
  const files: string[] = [];
  let ignored = 0;

  for (const arg of paths) {
    const st = statArgument(arg, out);
    if (!st) continue;
    if (!st.isDirectory()) {
      files.push(arg);
      continue;
    }
    const found = walk(arg, out);
    ignored += found.ignored;
    append(files, found.files);
  }
  if (ignored) out.notes.push(`${ignored} file(s) in the --observed folders are not .evtx, .csv or .json; not read`);
  if (files.length > LIMITS.observedFiles) {
    out.errors.push({
      path: files[LIMITS.observedFiles] as string,
      message: `more than ${LIMITS.observedFiles} observation files (limit); the rest is not read`,
    });
    files.length = LIMITS.observedFiles;
  }

  for (const path of files) {
    const read = readOne(path);
    if ('error' in read) {
      out.errors.push({ path, message: read.error });
      continue;
    }
    out.sources.push(path);
    out.kinds[read.kind] = (out.kinds[read.kind] ?? 0) + 1;
    append(
      out.notes,
      read.notes.map((n) => (n.startsWith(path) ? n : `${path}: ${n}`)),
    );
    for (const c of read.counts) {
      out.events += c.count;
      // join() makes one flat string; a template literal makes a tree of parts kept beside it (a million keys).
      const key = [(c.computer ?? '').toLowerCase(), channelKey(c.channel), (c.provider ?? '').toLowerCase(), c.eventId].join('\n');
      const had = merged.get(key);
      if (had) {
        addObserved(had, c);
      } else if (merged.size < LIMITS.observedCounts) {
        merged.set(key, c); // the reader's own object, not kept by it: no copy (a million rows)
      } else if (!full) {
        full = true;
        out.errors.push({
          path,
          message: `more than ${LIMITS.observedCounts.toLocaleString('en-US')} distinct (computer, channel, event ID) counts over all inputs (limit); further kinds are not kept`,
        });
      }
    }
  }
  out.counts = [...merged.values()];
  return out;
}

/** One input file by its extension, or by its first bytes when the name does not tell. */
function readOne(path: string): { kind: string; counts: ObservedCount[]; notes: string[] } | { error: string } {
  const ext = (/\.([a-z]+)$/i.exec(path)?.[1] ?? '').toLowerCase();
  if (ext === 'evtx') return evtx(path);
  if (ext === 'csv') {
    // Streamed row by row: a CSV of a million rows is never held as one text.
    try {
      const r = readObservedCsvFile(path, LIMITS.inputFileBytes);
      return { kind: r.format, counts: r.counts, notes: r.notes };
    } catch (e) {
      return { error: e instanceof LimitError ? e.message : (e as NodeJS.ErrnoException).code ? `cannot read: ${errnoMessage(e)}` : (e as Error).message };
    }
  }
  let buf: Buffer;
  try {
    buf = readRegular(path, LIMITS.inputFileBytes);
  } catch (e) {
    return { error: e instanceof LimitError ? e.message : `cannot read: ${errnoMessage(e)}` };
  }
  if (ext !== 'csv' && ext !== 'json' && buf.subarray(0, 8).toString('latin1') === 'ElfFile\0') return evtx(path);
  // JSON or not is told by the extension, else by the first character (decoding the head only).
  const json = ext === 'json' || (ext !== 'csv' && /^\s*[[{]/.test(decodeText(buf.subarray(0, 4096))));
  if (json && buf.length > LIMITS.observedJsonBytes) {
    return {
      error: `more than ${LIMITS.observedJsonBytes / 1048576} MiB of JSON (limit): a search response is parsed whole; page the aggregation (composite after_key) or export counts as CSV, which is streamed`,
    };
  }
  const text = decodeText(buf);
  try {
    const r = json ? parseObservedJson(text) : parseObservedCsv(text);
    return { kind: r.format, counts: r.counts, notes: r.notes };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function evtx(path: string): { kind: string; counts: ObservedCount[]; notes: string[] } | { error: string } {
  const r = readEvtxFile(path);
  if (r.error) return { error: r.error };
  return { kind: 'EVTX', counts: r.counts, notes: r.notes };
}

/** Observation files below a folder: bounded depth and entries, links never leave the folder. */
function walk(root: string, out: ObservationLoad): { files: string[]; ignored: number } {
  const files: string[] = [];
  let ignored = 0;
  let visited = 0;
  let top: string;
  try {
    top = realpathSync.native(root);
  } catch (e) {
    out.errors.push({ path: root, message: `cannot resolve directory: ${errnoMessage(e)}` });
    return { files, ignored };
  }
  const seen = new Set<string>([top]);
  const visit = (dir: string, depth: number): boolean => {
    if (depth > LIMITS.dirDepth) {
      out.errors.push({ path: dir, message: `more than ${LIMITS.dirDepth} directory levels (limit); not walked further` });
      return true;
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.errors.push({ path: dir, message: `cannot read directory: ${errnoMessage(e)}` });
      return true;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++visited > LIMITS.dirEntries) {
        out.errors.push({ path: dir, message: `more than ${LIMITS.dirEntries} files and directories (limit); the rest is not read` });
        return false;
      }
      const path = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = realpathSync.native(path);
          const st = statSync(real);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (e) {
          out.errors.push({ path, message: `broken symbolic link: ${errnoMessage(e)}` });
          continue;
        }
        // A link out of the folder (to /, /proc, a home directory) would read the machine, not the logs.
        if (real !== top && !real.startsWith(`${top}/`)) {
          out.errors.push({ path, message: `symbolic link to ${real}, outside ${root}: not followed` });
          continue;
        }
      }
      if (isDir) {
        let real: string;
        try {
          real = realpathSync.native(path);
        } catch (e) {
          out.errors.push({ path, message: `cannot resolve directory: ${errnoMessage(e)}` });
          continue;
        }
        if (seen.has(real)) continue;
        seen.add(real);
        if (!visit(path, depth + 1)) return false;
      } else if (isFile) {
        if (KNOWN.test(entry.name)) files.push(path);
        else ignored++;
      }
      // FIFOs, sockets and devices in the folder are not observation files: passed over without a read.
    }
    return true;
  };
  visit(root, 0);
  return { files, ignored };
}
