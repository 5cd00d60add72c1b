/**
 * Rows of a CSV export fed as text in pieces: csv-parse's stream parser, driven synchronously, one reused path
 * for every CSV reader of --observed (event counts, field counts). The header line is kept until it is whole, to
 * guess the delimiter from; a malformed record is skipped and counted; a record longer than 64 KB is one.
 */
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
