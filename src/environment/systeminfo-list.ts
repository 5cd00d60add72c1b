/**
 * The default output of `systeminfo` (`/fo list`), in any language:
 *
 *   Host Name:                 WIN-RIBN7SM07BK
 *   OS Name:                   Microsoft Windows Server 2022 Standard
 *   …
 *   Processor(s):              1 Processor(s) Installed.
 *                              [01]: Intel64 Family 6 …          ← continuation lines start with blanks
 *
 * Labels are translated but the fields come in a fixed order. A field whose label is known
 * (data/systeminfo.yaml) is read by its label; the others by their position among the field lines — unless a
 * known label sits at another position than its own (a line was deleted, as in a redacted capture), in which
 * case positions prove nothing and those fields stay unknown.
 */
import { forEachLine } from '../lines.js';
import { shown } from './capture-text.js';
import type { SystemInfo } from './systeminfo-facts.js';
import { FIELDS, systeminfoWords, type Field } from './systeminfo-words.js';

/** Field lines kept (Domain is the 29th; a few more let a shifted layout be seen). */
const MAX_FIELDS = 40;

/** "Label:   value" → both parts; the label ends at the first colon (the labels read here contain none). */
export function splitField(line: string): { label: string; value: string } | undefined {
  const at = line.indexOf(':');
  if (at <= 0) return undefined;
  return { label: line.slice(0, at).trim(), value: line.slice(at + 1).trim() };
}

/** Is this a field line (not blank, not a continuation) of the list output? */
export function isFieldLine(line: string): boolean {
  return /^[^\s:][^:]{0,80}:(\s|$)/.test(line);
}

/** Values that cannot be what their field says: a host or domain name has no blanks and has a letter or digit. */
const PLAUSIBLE: Partial<Record<Field, RegExp>> = {
  computer: /^(?=.*[\p{L}\p{N}])[^\s\\/:*?"<>|,]{1,63}$/u,
  domain: /^(?=.*[\p{L}\p{N}])[^\s\\/:*?"<>|,]{1,255}$/u,
};

export function parseSysteminfoList(text: string, notes: string[]): SystemInfo {
  const words = systeminfoWords();
  const lines: { label: string; value: string }[] = [];
  forEachLine(text, (line) => {
    if (!line.trim() || /^\s/.test(line)) return; // blank or continuation ([01]: KB…)
    const f = splitField(line);
    if (f) lines.push(f);
    return lines.length < MAX_FIELDS;
  });
  const out: SystemInfo = { notes };
  if (lines.length < 5) {
    notes.push(`systeminfo list output has only ${lines.length} field line(s); not read`);
    return out;
  }
  const byLabel = new Map<Field, number>();
  const langs = new Map<string, number>();
  let damaged = false;
  let shifted: string | undefined;
  lines.forEach((l, i) => {
    const hit = words.label(l.label);
    if (!hit || byLabel.has(hit.field)) return;
    byLabel.set(hit.field, i);
    langs.set(hit.lang, (langs.get(hit.lang) ?? 0) + 1);
    damaged ||= hit.damaged;
    if (i !== words.positions[hit.field] && !shifted) shifted = `"${shown(l.label, 40)}" is field ${i + 1}, not ${words.positions[hit.field] + 1}`;
  });
  const byPosition: string[] = [];
  for (const field of FIELDS) {
    let at = byLabel.get(field);
    if (at === undefined) {
      if (shifted || words.positions[field] >= lines.length) continue;
      at = words.positions[field];
      byPosition.push(`${field} (line ${at + 1}, "${shown(lines[at]!.label, 30)}")`);
    }
    const value = lines[at]!.value;
    if (!value) continue;
    const plausible = PLAUSIBLE[field];
    if (plausible && !plausible.test(value)) {
      notes.push(`${field} "${shown(value, 40)}" is not a name (redacted?); left unknown`);
      continue;
    }
    out[field] = value;
  }
  const known = FIELDS.filter((f) => byLabel.has(f));
  if (known.length)
    notes.push(
      `systeminfo list output: ${known.join(', ')} read by their ${[...langs].sort((a, b) => b[1] - a[1])[0]![0]} label${damaged ? ' (letters damaged by the console code page)' : ''}`,
    );
  if (byPosition.length) notes.push(`systeminfo list output: labels not known, read by position: ${byPosition.join(', ')}`);
  if (shifted) {
    const missing = FIELDS.filter((f) => !byLabel.has(f));
    if (missing.length) notes.push(`systeminfo list output is not in systeminfo's order (${shifted}: lines deleted?); ${missing.join(', ')} left unknown`);
  }
  return out;
}
