/** What the terminal tables share: options, cli-table3 loaded on first use, ANSI colours. */
import { lazy } from '../lazy.js';
import { CELL_NOTE, clipCell } from './cell.js';

export interface TableOptions {
  verbose?: boolean;
  /** Ranked fixes shown without --verbose (default 10). */
  top?: number;
  color?: boolean;
  /** Terminal width: prose is wrapped and tables are sized to fit (default 100). */
  width?: number;
}

const cliTable = lazy<typeof import('cli-table3')>('cli-table3');
type TableClass = typeof import('cli-table3');
let clipping: TableClass | undefined;

/** cli-table3 with every string cell cut to CELL_CHARS per line (src/report/cell.ts), noted under the table. */
export const Table = (): TableClass => (clipping ??= clippingTable(cliTable()));

function clippingTable(Base: TableClass): TableClass {
  class Clipping extends Base {
    private cut = false;
    override push(...rows: Parameters<InstanceType<TableClass>['push']>): number {
      const mark = () => {
        this.cut = true;
      };
      const clip = (c: unknown) => (typeof c === 'string' ? clipCell(c, mark) : c);
      return super.push(...(rows.map((r) => (Array.isArray(r) ? r.map(clip) : r)) as typeof rows));
    }
    override toString(): string {
      const s = super.toString();
      return this.cut ? `${s}\n${CELL_NOTE}` : s;
    }
  }
  return Clipping;
}

const ESC = '\u001b[';
export const paint = (on: boolean, code: string, s: string): string => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

/** on green; off and unsupported red; unknown, filtered and mixed yellow. */
export function paintState(color: boolean, s: string): string {
  return paint(color, s === 'on' ? '32' : s === 'off' || s === 'unsupported' ? '31' : '33', s);
}
