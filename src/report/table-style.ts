/** What the terminal tables share: options, cli-table3 loaded on first use, ANSI colours. */
import { lazy } from '../lazy.js';

export interface TableOptions {
  verbose?: boolean;
  /** Ranked fixes shown without --verbose (default 10). */
  top?: number;
  color?: boolean;
  /** Terminal width: prose is wrapped and tables are sized to fit (default 100). */
  width?: number;
}

export const Table = lazy<typeof import('cli-table3')>('cli-table3');

const ESC = '\u001b[';
export const paint = (on: boolean, code: string, s: string): string => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

/** on green; off and unsupported red; unknown, filtered and mixed yellow. */
export function paintState(color: boolean, s: string): string {
  return paint(color, s === 'on' ? '32' : s === 'off' || s === 'unsupported' ? '31' : '33', s);
}

