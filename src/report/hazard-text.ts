/** "not proposed: …": fixes withheld for a blocking or archiving hazard are said, never cut silently. */
import type { Readiness } from '../result/result.js';

/** `short`: one or two lines for the compact table (names and rule counts; the reasons are in the JSON and Markdown). */
export function withheldLine(rd: Readiness, short = false): string | undefined {
  if (!rd.withheld?.length) return undefined;
  const count = (n: number) => `${n} rule${n === 1 ? '' : 's'}`;
  if (short) {
    // "Sysmon EID 23 (12 rules), 27 (1), 28 (1)": one screen line for the compact table.
    let prev = '';
    const items = rd.withheld.map((w, i) => {
      const ids = w.requires.map((id) => {
        const [kind, rest] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
        const text = kind === 'sysmon' ? (prev === 'sysmon' ? rest : `Sysmon EID ${rest}`) : id;
        prev = kind;
        return text;
      });
      return `${ids.join(' + ')} (${i === 0 ? count(w.rules) : w.rules})`;
    });
    return `not proposed, they block or archive data: ${items.join(', ')}`;
  }
  const list = rd.withheld.map((w) => `${w.names.join(' + ')} (${w.hazard}; ${count(w.rules)} without a fix): ${w.reason}`);
  return `not proposed: ${list.join('; ')}`;
}
