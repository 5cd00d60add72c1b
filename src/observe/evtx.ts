/**
 * Reads Windows event log files (.evtx) into observations: how many events of each (computer, channel,
 * provider, event ID) a file holds, with the first and last time and the records' bytes; and field evidence:
 * per EventData/UserData field, in how many records it is present and non-empty. Only the System fields of
 * each record are decoded (binxml.ts); other fields are told present or empty from their value descriptors,
 * which keeps reading at well over a hundred thousand records a second.
 *
 * Layout (libyal's EVTX notes, MS-EVEN6): a 4 KiB file header ("ElfFile\0"), then 64 KiB chunks ("ElfChnk\0",
 * a 512-byte header with the record range, a header CRC32, the free-space offset and the string and template
 * tables), each holding records ("\x2a\x2a\0\0", size, record id, written FILETIME, BinXml, size again).
 *
 * Damaged input is normal input: a chunk whose signature or header checksum is wrong is skipped, a record that
 * cannot be read is skipped and counted, and everything else in the file is still read. Nothing here throws
 * on bad data; a file that cannot be used at all comes back with `error`.
 */
import { LIMITS, readRegularChunks } from '../limits.js';
import { crc32 } from '../io/crc32.js';
import { errnoMessage } from '../io/files.js';
import { append } from '../lines.js';
import { ChunkReader, F, Fields, type FieldOptions } from './binxml.js';
import { filetimeMs } from './binxml-values.js';
import { evidenceFields } from '../catalog/evidence-fields.js';
import { FieldCounter, newKindFields, type KindFields } from './evtx-fields.js';
import type { ObservedCount } from './model.js';

/** Bounds on reading one .evtx file (documented in docs/limits.md with every other limit). */
export const EVTX_LIMITS = LIMITS.evtx;

/** One event record's System fields. */
export interface EvtxRecord {
  recordId: number;
  /** TimeCreated SystemTime, else the record's written time; ISO 8601 UTC; absent when neither is a valid time. */
  time?: string;
  channel: string;
  provider?: string;
  eventId: number;
  qualifiers?: number;
  computer?: string;
}

export interface EvtxResult {
  /** Event records read (with a channel and an event ID). */
  records: number;
  counts: ObservedCount[];
  /** What was skipped and why, each prefixed by the file name. */
  notes: string[];
  /** Set when nothing of the file could be used (unreadable, too large, not an EVTX file). */
  error?: string;
}

const FILE_HEADER = 4096;
const CHUNK = 65536;
const CHUNK_HEADER = 512;
const RECORD_MIN = 28; // signature, size, id, written time, size copy: a record with no BinXml at all
const RECORD_SIGNATURE = 0x00002a2a;

const u64 = (b: Buffer, off: number) => b.readUInt32LE(off + 4) * 4294967296 + b.readUInt32LE(off);
const ZERO_HEADER = Buffer.alloc(512);

interface Kind {
  count: ObservedCount;
  first: number;
  last: number;
  bytes: number;
  /** Field evidence, when read. */
  fields?: KindFields;
}

/** What to read besides the counts. */
export interface EvtxOptions {
  /** Field evidence (fieldRecords, fields, values); default true. Off, the reader decodes the System fields only. */
  fields?: boolean;
}

/** Parses a time given as text (a template may hold SystemTime as a string), in the years 1601–9999. */
function textTimeMs(s: string | undefined): number {
  if (s === undefined) return NaN;
  const ms = Date.parse(s);
  return ms >= -11644473600000 && ms <= 253402300799999 ? ms : NaN;
}

/** Reads an .evtx file held in buf; name prefixes the notes. onRecord sees every record read. */
export function readEvtx(buf: Buffer, name: string, onRecord?: (r: EvtxRecord) => void, options: EvtxOptions = {}): EvtxResult {
  const scan = new EvtxScan(name, onRecord, options);
  if (buf.length > 0 && scan.header(buf.subarray(0, FILE_HEADER))) {
    for (let i = 0, off = FILE_HEADER; off < buf.length; i++, off += CHUNK) if (!scan.chunk(i, buf.subarray(off, Math.min(off + CHUNK, buf.length)))) break;
  }
  return scan.end();
}

/**
 * Reads an .evtx file from disk 64 KiB chunk by 64 KiB chunk (one reused buffer: a 1 GiB log costs a chunk
 * of memory, not a gigabyte), bounded by EVTX_LIMITS.maxFileBytes; never throws.
 */
export function readEvtxFile(path: string, onRecord?: (r: EvtxRecord) => void, options: EvtxOptions = {}): EvtxResult {
  const scan = new EvtxScan(path, onRecord, options);
  try {
    readRegularChunks(path, EVTX_LIMITS.maxFileBytes, FILE_HEADER, CHUNK, (part, offset) =>
      offset === 0 ? scan.header(part) : scan.chunk((offset - FILE_HEADER) / CHUNK, part),
    );
  } catch (e) {
    const message = (e as NodeJS.ErrnoException).code ? `cannot read: ${errnoMessage(e)}` : (e as Error).message;
    return { records: 0, counts: [], notes: [], error: message };
  }
  return scan.end();
}

/**
 * One file's reading, fed its header and then its chunks in order (from a buffer or from the disk); each
 * chunk is read completely when given and not kept: only the counts per kind stay.
 */
class EvtxScan {
  private notes: string[] = [];
  private error: string | undefined;
  /** Header facts kept until the first chunk tells whether a damaged header still starts an EVTX file. */
  private head: { length: number; signed: boolean } | undefined;
  private started = false;
  /** Length of the last part given: a short one is where the file ends. */
  private tail = CHUNK;
  /** Chunk numbers per reason, reported once per reason. */
  private byReason = new Map<string, number[]>();
  private kinds = new Map<string, Kind>();
  private fields = new Fields();
  private prev: Kind | undefined;
  private records = 0;
  private unreadable = 0;
  private incomplete = 0;
  private uncounted = 0;
  private readonly fieldOpts: FieldOptions | undefined;
  private readonly counter: FieldCounter | undefined;

  constructor(
    private readonly name: string,
    private readonly onRecord?: (r: EvtxRecord) => void,
    options: EvtxOptions = {},
  ) {
    if (options.fields !== false) {
      const evidence = evidenceFields();
      this.counter = new FieldCounter(evidence);
      this.fieldOpts = { values: evidence.names };
    }
  }

  /** The first 4 KiB (or less); false when reading should stop. */
  header(h: Buffer): boolean {
    const signed = h.length >= 128 && h.toString('latin1', 0, 8) === 'ElfFile\0';
    this.head = { length: h.length, signed };
    if (signed && crc32(h.subarray(0, 120)) !== h.readUInt32LE(124)) this.notes.push(`${this.name}: file header checksum mismatch; chunks read anyway`);
    if (!signed && h.length < FILE_HEADER) this.error = 'not an EVTX file (no "ElfFile" signature)';
    return this.error === undefined;
  }

  private chunkNote(i: number, reason: string): void {
    const list = this.byReason.get(reason) ?? [];
    list.push(i);
    this.byReason.set(reason, list);
  }

  /** Chunk i (64 KiB, shorter at the end of the file); false when reading should stop. */
  chunk(i: number, chunk: Buffer): boolean {
    this.tail = chunk.length;
    if (!this.started) {
      this.started = true;
      if (!this.head?.signed) {
        const hasChunk = chunk.length >= CHUNK_HEADER && chunk.toString('latin1', 0, 8) === 'ElfChnk\0';
        if (!hasChunk) {
          this.error = 'not an EVTX file (no "ElfFile" signature)';
          return false;
        }
        this.notes.push(`${this.name}: file header damaged (no "ElfFile" signature); chunks read anyway`);
      }
    }
    if (chunk.length < CHUNK_HEADER) return false;
    // Every 64 KiB block is looked at, not only the header's chunk count: a file not closed cleanly has a
    // stale count. Never-used blocks are zero-filled and skipped silently.
    if (chunk.toString('latin1', 0, 8) !== 'ElfChnk\0') {
      if (!chunk.subarray(0, CHUNK_HEADER).equals(ZERO_HEADER)) this.chunkNote(i, 'skipped: no chunk signature');
      return true;
    }
    if (crc32(chunk.subarray(128, CHUNK_HEADER), crc32(chunk.subarray(0, 120))) !== chunk.readUInt32LE(124)) {
      this.chunkNote(i, 'skipped: chunk header checksum mismatch');
      return true;
    }
    const lastRecord = chunk.readUInt32LE(44);
    const free = Math.min(chunk.readUInt32LE(48), chunk.length);
    if (chunk.length < CHUNK) this.chunkNote(i, 'cut short (the file ends inside it): its later records are lost');
    else if (free >= CHUNK_HEADER && crc32(chunk.subarray(CHUNK_HEADER, free)) !== chunk.readUInt32LE(52))
      this.chunkNote(i, 'records checksum mismatch: its records were read but may be damaged');

    const reader = new ChunkReader(chunk, EVTX_LIMITS, this.fieldOpts);
    const fields = this.fields;
    const kinds = this.kinds;
    // Records run from the header to the last record's offset; what lies after it is unused space that may
    // hold stale records of an earlier use of the chunk, which must not be counted.
    for (let p = CHUNK_HEADER; p <= lastRecord && p + RECORD_MIN <= free;) {
      const size = chunk.readUInt32LE(p + 4);
      if (chunk.readUInt32LE(p) !== RECORD_SIGNATURE || size < RECORD_MIN || p + size > free || chunk.readUInt32LE(p + size - 4) !== size) {
        if (chunk.length === CHUNK) this.chunkNote(i, 'a record header is damaged: the rest of the chunk skipped');
        break;
      }
      let ok: boolean;
      try {
        ok = reader.readRecord(p + 24, p + size - 4, fields);
      } catch {
        ok = false; // a bounds check missed in binxml.ts: the record is skipped like any unreadable one
      }
      const t = fields.text;
      const eventId = ok && /^\d{1,10}$/.test(t[F.EventId] ?? '') ? Number(t[F.EventId]) : NaN;
      if (!ok) this.unreadable++;
      else if (!t[F.Channel] || !(eventId <= 0xffffffff)) this.incomplete++;
      else {
        this.records++;
        let ms = Number.isNaN(fields.timeMs) ? textTimeMs(t[F.Time]) : fields.timeMs;
        if (Number.isNaN(ms)) ms = filetimeMs(chunk, p + 16);
        const channel = t[F.Channel];
        const provider = t[F.Provider];
        const computer = t[F.Computer];
        let kind = this.prev;
        // Runs of one kind are the rule; comparing with the previous record's kind saves building a key.
        if (!kind || kind.count.eventId !== eventId || kind.count.channel !== channel || kind.count.provider !== provider || kind.count.computer !== computer) {
          const key = `${computer ?? ''}\0${channel}\0${provider ?? ''}\0${eventId}`;
          kind = kinds.get(key);
          if (!kind && kinds.size < EVTX_LIMITS.maxKinds) {
            kind = {
              count: { ...(computer !== undefined && { computer }), channel, ...(provider !== undefined && { provider }), eventId, count: 0 },
              first: NaN,
              last: NaN,
              bytes: 0,
              ...(this.counter && { fields: newKindFields() }),
            };
            kinds.set(key, kind);
          }
          this.prev = kind;
        }
        if (!kind) this.uncounted++;
        else {
          kind.count.count++;
          kind.bytes += size;
          if (kind.fields) this.counter!.record(kind.fields, fields, channel, eventId);
          if (!Number.isNaN(ms)) {
            if (!(ms >= kind.first)) kind.first = ms; // NaN first: this is the first time seen
            if (!(ms <= kind.last)) kind.last = ms;
          }
        }
        if (this.onRecord) {
          const q = t[F.Qualifiers];
          this.onRecord({
            recordId: u64(chunk, p + 8),
            ...(!Number.isNaN(ms) && { time: new Date(ms).toISOString() }),
            channel,
            ...(provider !== undefined && { provider }),
            eventId,
            ...(q !== undefined && /^\d{1,5}$/.test(q) && { qualifiers: Number(q) }),
            ...(computer !== undefined && { computer }),
          });
        }
      }
      p += size;
    }
    if (reader.budgetHit) this.chunkNote(i, 'holds more template definitions than a chunk can (limit): records using them skipped');
    return true;
  }

  end(): EvtxResult {
    const { name, notes } = this;
    if (!this.head) this.error = 'empty file';
    else if (!this.started && !this.head.signed) this.error = 'not an EVTX file (no "ElfFile" signature)';
    if (this.error) return { records: 0, counts: [], notes, error: this.error };
    if (this.head!.length < FILE_HEADER) notes.push(`${name}: the file ends inside its header (cut short)`);
    else if (this.tail > 0 && this.tail < CHUNK_HEADER) notes.push(`${name}: the file ends inside a chunk header (cut short)`);
    const max = EVTX_LIMITS.listedChunks;
    for (const [reason, list] of this.byReason) {
      const shown = list.slice(0, max).join(', ') + (list.length > max ? ` … and ${list.length - max} more` : '');
      notes.push(`${name}: chunk${list.length > 1 ? 's' : ''} ${shown} ${reason}`);
    }
    const { unreadable, incomplete, uncounted } = this;
    if (unreadable) notes.push(`${name}: ${unreadable} record${unreadable > 1 ? 's' : ''} with damaged binary XML skipped`);
    if (incomplete) notes.push(`${name}: ${incomplete} record${incomplete > 1 ? 's' : ''} without a channel or a numeric event ID skipped`);
    if (uncounted)
      notes.push(
        `${name}: more than ${EVTX_LIMITS.maxKinds} kinds of event (computer, channel, provider, event ID; limit): ${uncounted} records of further kinds not counted`,
      );
    if (this.counter) append(notes, this.counter.notes(name));

    const iso = (ms: number) => (Number.isNaN(ms) ? undefined : new Date(ms).toISOString());
    // plain code-unit order: stable across locales, and localeCompare's first call costs tens of ms (ICU)
    const cmp = (x = '', y = '') => (x < y ? -1 : x > y ? 1 : 0);
    const counts: ObservedCount[] = [...this.kinds.values()].map((k) => {
      const first = iso(k.first);
      const last = iso(k.last);
      return { ...k.count, ...(first && { first }), ...(last && { last }), bytes: k.bytes, ...(k.fields && this.counter!.output(k.fields)) };
    });
    counts.sort((a, b) => cmp(a.computer, b.computer) || cmp(a.channel, b.channel) || a.eventId - b.eventId || cmp(a.provider, b.provider));
    return { records: this.records, counts, notes };
  }
}
