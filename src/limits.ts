/**
 * Every limit on what logsource-check reads, in one place (documented in docs/limits.md). Rule repositories
 * take pull requests from strangers: a hostile input must cost bounded bytes, entries, depth and time, and
 * is reported in one line naming the file and the limit while the rest of the run goes on.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';

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
  /**
   * One JSON report read by `diff` / `check --previous`: it is parsed whole (JSON.parse builds ~10 bytes of objects
   * per byte), and V8 strings end near 512 MiB. A fleet report larger than this is diffed per part of the fleet.
   */
  reportBytes: 256 * MiB,
  /** Output of one git command of --changed-since (file names), and the lines of one --files-from file. */
  changedListBytes: 16 * MiB,
  changedFiles: 200_000,
  /** One baseline file given by path (--baseline FILE): the shipped ones are a few KB. */
  baselineFileBytes: 4 * MiB,
  /** Items (sequence entries and mapping pairs) in one rule file's YAML. */
  yamlItems: 100_000,
  /** Files read from the --observed arguments together (EVTX, counts CSV, search responses). */
  observedFiles: 10_000,
  /** Rows of one counts CSV, buckets of one search response (a fleet × channel × event ID export). */
  observedRows: 1_000_000,
  /**
   * A search response (JSON) of --observed: it is parsed whole, and JSON.parse builds ~10 bytes of objects per
   * byte of text (a 51 MB response peaked at 531 MB), so it gets a smaller cap than other inputs. A composite
   * aggregation is paged anyway (after_key); a CSV export is streamed and keeps the 64 MiB cap.
   */
  observedJsonBytes: 32 * MiB,
  /** Distinct (computer, channel, provider, event ID) counts kept over all --observed inputs. */
  observedCounts: 2_000_000,
  /**
   * Field names kept per (computer, channel, event ID) from a SIEM field export (src/observe/fields-csv.ts,
   * elastic-fields.ts): Windows events carry a few dozen EventData fields; a flood of names is not evidence.
   */
  observedFieldsPerKind: 512,
  /** Length of one field name from a SIEM field export; EventData names are short XML names. */
  observedFieldNameChars: 128,
  /** Notes kept per input file (bad lines, unknown values); the rest are counted in one line. */
  notesPerFile: 1_000,
  /**
   * Entries of one host-snapshot file: memory is bounded per entry, not only per byte (64 MiB of two-line
   * channels is 2 million objects). Past a bound the file is read as partial: what lies after is unknown.
   */
  /** Collector configurations (src/environment/splunk-*.ts). */
  collector: {
    /** Stanzas of one Splunk .conf file (Splunk_TA_windows has ~100; a deployment app a few hundred). */
    confStanzas: 20_000,
    /**
     * Distinct EventCode regexes evaluated exactly per read (each is tried on the 65,536 event IDs, ~10 ms); past
     * this bound a regex's IDs are only "possibly" matched.
     */
    eventCodeRegexes: 200,
    /** Characters of one EventCode regex evaluated (longer ones: possibly matched). */
    eventCodeRegexChars: 2_000,
    /** Data sources, XPath queries, inputs, streams or processors read from one list (real ones: tens). */
    entries: 100_000,
    /** Nesting of a processor condition (or / and / not); real ones: two or three. */
    conditionDepth: 64,
  },
  host: {
    /** Channels of one wevtutil-gl.txt (a real `wevtutil el` lists ~1,000–1,500). */
    channels: 50_000,
    /** Lines of one auditpol-resourcesacl.txt (a global SACL is a few entries of ~8 lines). */
    saclLines: 100_000,
    /**
     * Lines of one sacls.txt (per watched path ~4 lines plus one per audit entry; the SigmaHQ corpus watches a
     * few hundred keys and folders).
     */
    objectSaclLines: 200_000,
    /** Keys and values of one .reg export (a heavily managed host's Policies tree: a few thousand). */
    regKeys: 100_000,
    regValues: 400_000,
    /** Services of one sc output (the collection script queries two; `sc queryex` of a host lists ~300). */
    services: 10_000,
    /** Rule lines of one `sysmon -c` dump (a large community config dumps a few thousand). */
    sysmonRuleLines: 100_000,
  },
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
    /**
     * Event IDs one log source may list over all its sources (after a known channel keeps only the IDs its
     * producers write). Each rule of the log source gets one requirement branch per event, and the JSON report
     * repeats them per rule: cost is rules × IDs (issue 29). The catalog's own entries list at most 5; at 50,
     * the SigmaHQ corpus (1,372 process_creation rules) with a host stays well under 300 MB.
     */
    eventIdsPerLogSource: 50,
  },
  /** One collector configuration (DCR, Elastic Agent policy, winlogbeat.yml): entries walked, condition nesting. */
  /** One .evtx file of --observed (see src/observe/evtx.ts for how each bound is used). */
  evtx: {
    /**
     * Largest file read (in 64 KiB chunks through one reused buffer, never whole). Windows' default Security log
     * is 20 MB and busy servers are set to a few hundred MB; a larger log can be exported in parts (wevtutil epl
     * with a query).
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
    /**
     * Field evidence (EventData Data names, UserData leaves): distinct field names kept per kind of event, and
     * the most a template may define (its records' fields are then not examined). Real events have up to a few
     * dozen (Sysmon 1: 23, Security 4624: 27); each name a record carries costs a step per record.
     */
    fieldsPerKind: 512,
    /** (kind, field name) pairs kept per file: the memory of field evidence, whatever the number of kinds. */
    fieldsPerFile: 100_000,
    /** Characters decoded of a value whose tokens are counted (Sysmon's Hashes with all four algorithms: ~200). */
    valueChars: 1024,
    /** Distinct value tokens kept per field and kind (Sysmon knows 4 hash algorithms). */
    valuesPerField: 64,
  },
  /** The parse cache (src/cache/shards.ts) is an input too: another process may have written anything there. */
  cache: {
    /** One shard file (all the rules below one root; SigmaHQ's 3,000 rules make ≈ 4 MB). */
    shardBytes: 64 * MiB,
    /** Records in one shard: as many as one rule-set argument may hold files. */
    shardRecords: 200_000,
    /** One text of a cached record (title, id, tag, message…); Sigma titles are short (its spec: 256). */
    textChars: 4096,
    /** All the text of one cached record, its detection included: as much as one rule file may hold. */
    recordChars: 8 * MiB,
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
export function readRegular(path: string, maxBytes: number, alloc: (bytes: number) => Buffer = (n) => Buffer.allocUnsafe(n)): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = checkOpened(fd, path, maxBytes);
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

/** readRegular's checks on an opened file (forbidden filesystem, file type, stated size); its fstat. */
function checkOpened(fd: number, path: string, maxBytes: number) {
  const st = fstatSync(fd);
  const root = pseudoRoot(st.dev);
  if (root) throw new LimitError(forbiddenTarget(path) ?? `is under ${root}: not read`);
  if (!st.isFile())
    throw new LimitError(
      `not a regular file (${st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'special'}); skipped`,
    );
  if (st.size > maxBytes) throw new LimitError(tooLarge(st.size, maxBytes));
  return st;
}

/**
 * Reads a regular file in parts into one reused buffer, with readRegular's checks and its count of bytes
 * (past maxBytes: a LimitError): a first part of `first` bytes (a file header), then parts of `chunk` bytes.
 * `each` sees each part (valid only during the call; short only at the end of the file) and returns false
 * to stop. Memory stays one part whatever the file's size.
 */
export function readRegularChunks(path: string, maxBytes: number, first: number, chunk: number, each: (part: Buffer, offset: number) => boolean | void): void {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    checkOpened(fd, path, maxBytes);
    const buf = Buffer.allocUnsafe(Math.max(first, chunk));
    for (let offset = 0, want = first; ; want = chunk) {
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, null);
        if (n === 0) break;
        got += n;
      }
      if (got === 0) return;
      if (offset + got > maxBytes) throw new LimitError(tooLarge(offset + got, maxBytes));
      if (each(buf.subarray(0, got), offset) === false || got < want) return;
      offset += got;
    }
  } finally {
    closeSync(fd);
  }
}

function tooLarge(bytes: number, max: number): string {
  return `file is ${(bytes / MiB).toFixed(1)} MB or more, more than the ${Math.round(max / MiB)} MB such a file may be (limit); skipped`;
}

/**
 * The first symbolic link among the components of `path`, from the root down, or undefined. The path is walked
 * as written, not normalised: in `link/../x` the link is crossed (the system resolves it before the `..`).
 * Components that do not exist end the walk (nothing below them exists either).
 */
export function linkOnPath(path: string): string | undefined {
  const abs = isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`;
  const { root } = parse(abs);
  let at = root;
  for (const part of abs.slice(root.length).split(sep === '/' ? '/' : /[\\/]/)) {
    if (!part || part === '.') continue;
    at = at.endsWith(sep) ? at + part : `${at}${sep}${part}`;
    try {
      if (lstatSync(at).isSymbolicLink()) return at;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `path` with every link resolved: the real path of its deepest existing ancestor (`..` taken physically, as the system does), and the rest as written. */
function resolvedPath(path: string): string {
  const abs = isAbsolute(path) ? path : `${process.cwd()}${sep}${path}`;
  let head = abs;
  for (;;) {
    try {
      return join(realpathSync.native(head), abs.slice(head.length));
    } catch {
      if (dirname(head) === head) return resolve(abs);
      head = dirname(head);
    }
  }
}

/**
 * Refuses an output path with a symbolic link anywhere on it: a link committed in a repository that CI checks
 * out would otherwise send a file wherever it points. A user who means the target passes the resolved path
 * (on macOS, /private/tmp/x rather than /tmp/x); a relative path is resolved from the working directory, which
 * the system reports resolved already.
 */
function refuseLinkOnPath(path: string, asked = path): void {
  const link = linkOnPath(path);
  if (!link) return;
  let to = '?';
  try {
    to = readlinkSync(link);
  } catch {
    // gone meanwhile: the message still names it
  }
  throw new LimitError(
    `${link} is a symbolic link (to ${to}): outputs are not written through links; pass the resolved path ${resolvedPath(asked)} to write there`,
  );
}

/** Open flags of an output file: never through a link at the last component, never blocking on a FIFO. */
const O_OUT = constants.O_WRONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Writes an output file without following a symlink or writing into a FIFO/device that an attacker left in
 * the target directory (fix --out, guides, -o): a link on the way to it (see refuseLinkOnPath), an existing
 * non-regular target, or one under /proc, /sys or /dev, is refused with a LimitError naming it. A new file is
 * created exclusively and an existing one opened without following a link, so a link put in its place
 * between the check and the write fails the open instead of being followed.
 */
export function writeOutput(path: string, content: string | Uint8Array | Iterable<string>): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined; // absent: created below
  }
  if (st && (st.isSymbolicLink() || !st.isFile()))
    throw new LimitError(`${path} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: not written through`);
  refuseLinkOnPath(dirname(path), path);
  const dir = forbiddenTarget(dirname(path));
  if (dir) throw new LimitError(`${dirname(path)} ${dir}`);
  const fd = openSync(path, st ? O_OUT | constants.O_TRUNC : O_OUT | constants.O_CREAT | constants.O_EXCL, 0o666);
  try {
    if (!fstatSync(fd).isFile()) throw new LimitError(`${path} is not a regular file: not written through`);
    if (typeof content === 'string' || content instanceof Uint8Array) {
      writeFileSync(fd, content);
      return;
    }
    // A report in pieces (a fleet's JSON is hundreds of MB): written as it is made, never held whole.
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

/**
 * Creates an output directory; refuses one with a symbolic link on its path (before and after creating it:
 * a link put in place meanwhile is caught), or one under /proc, /sys or /dev (where a recursive mkdir can
 * spin forever).
 */
export function makeOutputDir(dir: string): void {
  refuseLinkOnPath(dir);
  let probe = resolve(dir);
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const why = forbiddenTarget(probe);
  if (why) throw new LimitError(`${dir}: ${probe} ${why}`);
  mkdirSync(dir, { recursive: true });
  refuseLinkOnPath(dir);
}
