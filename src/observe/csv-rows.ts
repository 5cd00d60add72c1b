/**
 * Rows of a CSV export fed as text in pieces: csv-parse's stream parser, driven synchronously, one reused path
 * for every CSV reader of --observed (event counts, field counts). The header line is kept until it is whole, to
 * guess the delimiter from; a malformed record is skipped and counted; a record longer than 64 KB is one.
 */
import { readRegularChunks } from '../limits.js';
import { lazy } from '../lazy.js';

const csvStream = lazy<typeof import('csv-parse')>('csv-parse');
type CsvParser = typeof import('csv-parse').Parser;

/** A header the reader cannot use: its message is the one line the user sees. */
export class HeaderError extends Error {}

export abstract class CsvRows {
  /** Text before the parser starts: the header line, to guess the delimiter from. */
  private head = '';
  private parser: InstanceType<CsvParser> | undefined;
  private failure: Error | undefined;
  /** Malformed records skipped. */
  protected broken = 0;
  /** More rows than the reader's limit: the rest is not read. */
  full = false;

  /** One record (its fields as text) and the line it ends on. */
  protected abstract record(row: string[], line: number): void;

  write(text: string): void {
    if (this.failure || this.full || text === '') return;
    if (!this.parser) {
      this.head += text;
      if (this.head.indexOf('\n') < 0 && this.head.length < 4096) return;
      this.start();
      return;
    }
    this.parser.write(text);
  }

  private start(): void {
    const text = this.head;
    this.head = '';
    this.parser = new (csvStream().Parser)({
      delimiter: guessDelimiter(text),
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: 1 << 16,
      on_skip: () => {
        this.broken++;
        return undefined;
      },
      on_record: (record: string[], ctx) => {
        try {
          this.record(record, ctx.lines);
        } catch (e) {
          this.failure ??= e as Error; // kept here: the stream would report it only on a later tick
          throw e;
        }
        return null; // rows are kept as counts, never as arrays of strings
      },
    });
    // Errors are taken from on_record above; the stream's own 'error' event comes a tick later and is not needed.
    this.parser.on('error', (e: Error) => {
      this.failure ??= e;
    });
    this.parser.write(text);
  }

  /** Ends the stream (the last record, when the file does not end with a newline); throws what failed. */
  protected finish(): void {
    if (!this.parser && !this.failure) this.start();
    if (!this.failure && !this.full) this.parser!.end();
    const failure = this.failure;
    if (failure instanceof HeaderError) throw failure;
    if (failure) throw new Error(`CSV error: ${failure.message}`, { cause: failure });
  }
}

/** Comma, semicolon (spreadsheets in many locales) or tab, whichever the header line has most of. */
export function guessDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const first = text.slice(0, end < 0 ? Math.min(text.length, 4096) : Math.min(end, 4096));
  let best = ',';
  let most = 0;
  for (const d of [',', ';', '\t']) {
    const n = first.split(d).length - 1;
    if (n > most) {
      most = n;
      best = d;
    }
  }
  return best;
}

/** The text encodings decodeText recognises (src/io/decode.ts), told from a file's first bytes. */
export function encodingOf(b: Uint8Array): { encoding: string; skip: number } {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', skip: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', skip: 2 };
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', skip: 3 };
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] !== 0 && b[3] === 0) return { encoding: 'utf-16le', skip: 0 };
  if (b.length >= 4 && b[0] === 0 && b[1] !== 0 && b[2] === 0 && b[3] !== 0) return { encoding: 'utf-16be', skip: 0 };
  return { encoding: 'utf-8', skip: 0 };
}

const CHUNK = 65536;

/**
 * A CSV file streamed into rows: read 64 KiB at a time (a regular file within maxBytes), decoded as it comes in
 * the encoding its first bytes show; neither the file nor its text is ever held whole.
 */
export function feedFile(path: string, maxBytes: number, rows: CsvRows): void {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  readRegularChunks(path, maxBytes, CHUNK, CHUNK, (part, offset) => {
    if (offset === 0) {
      const { encoding, skip } = encodingOf(part);
      decoder = new TextDecoder(encoding);
      part = part.subarray(skip);
    }
    rows.write(decoder!.decode(part, { stream: true }));
    return !rows.full;
  });
  if (decoder) rows.write(decoder.decode());
}

/** The first chunk of a file, decoded (to tell a format from its header line). */
export function fileHead(path: string, maxBytes: number): string {
  let head = '';
  readRegularChunks(path, maxBytes, CHUNK, CHUNK, (part) => {
    const { encoding, skip } = encodingOf(part);
    head = new TextDecoder(encoding).decode(part.subarray(skip));
    return false;
  });
  return head;
}
