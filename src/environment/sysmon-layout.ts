/**
 * Where things are in a Sysmon configuration's text: each event element (with its onmatch and whether it holds
 * any condition) and each configuration entry under <Sysmon>, with its line. The XML reader keeps no positions;
 * a lint that names lines needs them. Runs after the reader accepted the file, over the markup only (comments,
 * CDATA and processing instructions are blanked at the same length), in one linear pass.
 */

export interface ElementAt {
  element: string;
  /** "include" / "exclude" as written (lower-cased), "" when absent. */
  onmatch: string;
  line: number;
  /** Condition (field) elements inside it, <Rule> wrappers not counted. */
  conditions: number;
}

export interface SysmonLayout {
  /** Event elements under <EventFiltering> (directly or in a <RuleGroup>), in document order. */
  elements: ElementAt[];
  /** Configuration entries directly under <Sysmon> (HashAlgorithms, ArchiveDirectory, CaptureClipboard …). */
  options: Map<string, { line: number; value: string }>;
  /** Line of the <Sysmon> start tag. */
  rootLine: number;
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;

export function sysmonLayout(xml: string): SysmonLayout {
  const masked = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/gi, (m) => m.replace(/[^\n]/g, ' '));
  const out: SysmonLayout = { elements: [], options: new Map(), rootLine: 1 };
  const stack: string[] = [];
  let line = 1;
  let last = 0;
  let open: { at: ElementAt; depth: number } | undefined;
  let option: { name: string; line: number; start: number } | undefined;
  for (const m of masked.matchAll(TAG)) {
    const at = m.index;
    for (let i = last; i < at; i++) if (masked.charCodeAt(i) === 10) line++;
    last = at;
    const [, close, name = '', attrs = '', selfClose] = m;
    if (close) {
      if (option && stack.length === 2 && name === option.name) out.options.set(name, { line: option.line, value: xml.slice(option.start, at).trim() });
      if (open && stack.length - 1 === open.depth) open = undefined;
      stack.pop();
      if (stack.length < 2) option = undefined;
      continue;
    }
    const parent = stack[stack.length - 1];
    const depth = stack.length;
    if (depth === 0 && name === 'Sysmon') out.rootLine = line;
    else if (depth === 1 && stack[0] === 'Sysmon' && name !== 'EventFiltering') {
      if (selfClose) out.options.set(name, { line, value: '' });
      else option = { name, line, start: at + m[0].length };
    } else if (!open && (parent === 'EventFiltering' || (parent === 'RuleGroup' && stack[stack.length - 2] === 'EventFiltering'))) {
      const onmatch = /\bonmatch\s*=\s*(["'])([^"']*)\1/i.exec(attrs)?.[2]?.toLowerCase() ?? '';
      if (name !== 'RuleGroup') {
        const el: ElementAt = { element: name, onmatch, line, conditions: 0 };
        out.elements.push(el);
        if (!selfClose) open = { at: el, depth };
      }
    } else if (open && name !== 'Rule') open.at.conditions++;
    if (!selfClose) stack.push(name);
  }
  return out;
}
