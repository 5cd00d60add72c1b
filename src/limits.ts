/**
 * Every limit on what logsource-check reads, in one place (documented in docs/limits.md). Rule repositories
 * take pull requests from strangers: a hostile input must cost bounded bytes, entries, depth and time, and
 * is reported in one line naming the file and the limit while the rest of the run goes on.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const MiB = 1048576;

export const LIMITS = {
  /** One rule file (the largest SigmaHQ rule is ~300 KB). */
  ruleFileBytes: 8 * MiB,
  /** One host or collector input, a Sysmon config, a mapping, the parse cache. */
  inputFileBytes: 64 * MiB,
  /** Directory levels below a rule-set argument. */
  dirDepth: 64,
  /** Files and directories one rule-set argument may hold. */
  dirEntries: 200_000,
  /** Entries of one zip archive, and what they may inflate to together. */
  zipEntries: 20_000,
  zipInflatedBytes: 256 * MiB,
  /** Inflated ÷ compressed size of one zip entry above which it is treated as a bomb. */
  zipRatio: 1_000,
  /** Items (sequence entries and mapping pairs) in one rule file's YAML. */
  yamlItems: 100_000,
  /** Files read from the --observed arguments together (EVTX, counts CSV, search responses). */
  observedFiles: 10_000,
  /** Rows of one counts CSV, buckets of one search response (a fleet × channel × event ID export). */
  observedRows: 1_000_000,
  /** Distinct (computer, channel, provider, event ID) counts kept over all --observed inputs. */
  observedCounts: 2_000_000,
  /**
   * One --mapping or --pipeline file (src/catalog/mapping-read.ts, mappings.ts). pySigma's own Windows and
   * Sysmon pipelines have a few hundred transformations; the whole catalog copied as a mapping ~90 entries.
   */
  mapping: {
    /** YAML items (separators: commas and lines), counted before parsing. */
    yamlItems: 250_000,
    /** The same when the file needs the yaml package (anchors, tags, multi-line quoted scalars): it costs ~2 KB an item. */
    yamlItemsPackage: 50_000,
    /** Transformations of one pipeline. */
    transformations: 10_000,
    /** Log-source entries one file adds (a pipeline: one per logsource rule condition). */
    entries: 10_000,
    /** Items of one list (EventID, Channel, rule_conditions, an entry's sources or events); 65,536 event IDs exist. */
    listItems: 65_536,
    /** Channel × event-ID pairs of one log source: what resolving each rule against it walks. */
    channelEvents: 100_000,
  },
  /** One .evtx file of --observed (see src/observe/evtx.ts for how each bound is used). */
  evtx: {
    /**
     * Largest file read; it is held in memory whole. Windows' default Security log is 20 MB and busy servers
     * are set to a few hundred MB; a larger log can be exported in parts (wevtutil epl with a query).
     */
    maxFileBytes: 1024 * MiB,
    /** Distinct (computer, channel, provider, event ID) kinds per file; a real log has hundreds, a forwarded one thousands. */
    maxKinds: 50_000,
    /** Characters kept of a computer, channel or provider name (real ones are under 256). */
    maxFieldChars: 256,
    /** Template instances nested in BinXml values within one record (Windows uses one or two levels). */
    maxNesting: 8,
    /** Open XML elements in one record. */
    maxElementDepth: 64,
    /** Bytes of template definitions compiled per chunk: 4× the chunk, so hostile offsets cost linear time. */
    templateBytesPerChunk: 4 * 65536,
    /** Parts making up one field, and BinXml substitutions, per template (real templates: one or two, and a few). */
    maxPlanEntries: 64,
    /** Chunk numbers listed in one note before "… and N more". */
    listedChunks: 10,
  },
} as const;

/** A limit was hit: the message names the limit; the caller adds the file. */
export class LimitError extends Error {}

/** Real paths no input is read from or walked into (kernel and device pseudo-files). */
const FORBIDDEN_ROOTS = ['/proc', '/sys', '/dev'];

/** Why a path (after symlinks) must not be read, or undefined. */
export function forbiddenTarget(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync.native(path);
  } catch {
    return undefined; // the read itself reports what is wrong
  }
  const root = FORBIDDEN_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
  return root ? `resolves to ${real}, under ${root}: not read` : undefined;
}

/** Devices of the kernel's pseudo-filesystems, to recognise a file on them from the fstat already made. */
let pseudoDevs: Map<number, string> | undefined;
function pseudoRoot(dev: number): string | undefined {
  if (!pseudoDevs) {
    pseudoDevs = new Map();
    for (const root of FORBIDDEN_ROOTS) {
      try {
        pseudoDevs.set(statSync(root).dev, root);
      } catch {
        // not on this system
      }
    }
  }
  return pseudoDevs.get(dev);
}

/**
 * Reads a regular file, counting the bytes as they come (a size from stat is not trusted: /proc files say 0,
 * devices have none). FIFOs, devices and sockets are refused without blocking: the file is opened
 * non-blocking and checked before any read. Files on /proc, /sys and /dev are refused by their device, from
 * the same fstat (no path resolution per file: a rule set has thousands).
 */
export function readRegular(path: string, maxBytes: number, alloc: (bytes: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    const root = pseudoRoot(st.dev);
    if (root) throw new LimitError(forbiddenTarget(path) ?? `is under ${root}: not read`);
    if (!st.isFile()) throw new LimitError(`not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'special'}); skipped`);
    if (st.size > maxBytes) throw new LimitError(tooLarge(st.size, maxBytes));
    const chunks: Buffer[] = [];
    let total = 0;
    // The first read asks for the stated size plus one byte: a regular file is usually read in one call.
    let want = Math.min(st.size + 1, maxBytes + 1);
    let first = true;
    for (;;) {
      const buf = first ? alloc(Math.max(want, 1)) : Buffer.allocUnsafe(Math.max(want, 1));
      first = false;
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new LimitError(tooLarge(total, maxBytes));
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      want = Math.min(65536, maxBytes + 1 - total);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number, max: number): string {
  return `file is ${(bytes / MiB).toFixed(1)} MB or more, more than the ${Math.round(max / MiB)} MB such a file may be (limit); skipped`;
}

/**
 * Writes an output file without following a symlink or writing into a FIFO/device that an attacker left in
 * the target directory (fix --out, guides, -o): an existing non-regular target, or one under /proc, /sys or
 * /dev, is refused with a LimitError naming it.
 */
export function writeOutput(path: string, content: string | Uint8Array | Iterable<string>): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined; // absent: created below
  }
  if (st && (st.isSymbolicLink() || !st.isFile())) throw new LimitError(`${path} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: not written through`);
  const dir = forbiddenTarget(dirname(path));
  if (dir) throw new LimitError(`${dirname(path)} ${dir}`);
  if (typeof content === 'string' || content instanceof Uint8Array) {
    writeFileSync(path, content, { flag: st ? 'w' : 'wx' });
    return;
  }
  // A report in pieces (a fleet's JSON is hundreds of MB): written as it is made, never held whole.
  const fd = openSync(path, st ? 'w' : 'wx');
  try {
    let batch = '';
    for (const piece of content) {
      batch += piece;
      if (batch.length >= 1 << 18) {
        writeSync(fd, batch);
        batch = '';
      }
    }
    if (batch) writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}

/** Creates an output directory; refuses one under /proc, /sys or /dev (where a recursive mkdir can spin forever). */
export function makeOutputDir(dir: string): void {
  let probe = resolve(dir);
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const why = forbiddenTarget(probe);
  if (why) throw new LimitError(`${dir}: ${probe} ${why}`);
  mkdirSync(dir, { recursive: true });
}
