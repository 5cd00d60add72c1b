/**
 * A reader for the block-YAML subset Sigma rules are written in, about fifteen times faster than the `yaml`
 * package, which stays the reader of record: whenever this one meets anything outside the subset, or anything
 * it is not sure it reads exactly as `yaml` does (YAML 1.2 core schema, duplicate keys allowed, `toJS()`), it
 * gives up (`undefined`) and the caller uses `yaml`. test/integration/fastpath-differential.test.ts compares
 * the two on every YAML file of the shared corpus and on thousands of mutated copies of them.
 *
 * The subset: block mappings and sequences (compact `- key: value` items and sequences at their key's column
 * included), plain scalars (folded over lines), single- and double-quoted scalars on one line, literal and
 * folded block scalars without indentation indicator or keep chomping, one-line flow sequences and mappings
 * of scalars, comments, `---` between documents, LF or CRLF line ends. Given up on: tabs outside comment
 * lines, a lone CR, control characters, anchors, aliases, tags, directives, `...`, explicit keys, quoted
 * scalars over several lines, keys that are not strings, `<<`, more than 100 levels or 50,000 nodes (a rule;
 * the reader of --mapping / --pipeline files passes its own bound, src/catalog/mapping-read.ts).
 */
import {
  GIVE_UP,
  YMap,
  YSeq,
  endsLine,
  fail,
  flow,
  isSeqItem,
  leading,
  mappingKey,
  plain,
  plainStart,
  quoted,
  resolve,
  type KeyValue,
  type YNode,
} from './fastyaml-scalar.js';

export interface FastDoc {
  /** What yaml's `doc.toJS()` gives. */
  value: unknown;
  /** 1-based line of the first top-level `logsource` key. */
  logsourceLine?: number;
  /** Keys that occur twice in one mapping, in the order src/rules/tolerant.ts lists them. */
  duplicates: { key: string; line: number }[];
}

/** The documents of a text, or undefined when `yaml` has to read it. */
export function fastYaml(text: string, maxNodes = 50_000): FastDoc[] | undefined {
  // CRLF line ends (a Windows checkout) are line breaks as LF ones: no value holds them, lines count the same.
  const lf = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  // Characters outside the subset anywhere: a lone CR, C0/C1 controls but tab and LF, DEL, BOM, U+2028/2029.
  // Tabs are allowed in comment lines only (each line read as content is checked).
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(lf)) return undefined;
  try {
    return documents(lf.split('\n'), maxNodes);
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function documents(lines: string[], maxNodes: number): FastDoc[] {
  const docs: FastDoc[] = [];
  let start = 0;
  let marked = false; // the current document began with `---`
  for (let i = 0; i <= lines.length; i++) {
    const line = lines[i];
    if (line !== undefined) {
      const c = line.charCodeAt(0);
      if (c === 37 || (c === 46 && line.startsWith('...'))) fail(); // a directive (%) or a document end
      if (c !== 45 || !line.startsWith('---') || (line.length > 3 && line[3] !== ' ')) continue;
      if (!/^--- *(#.*)?$/.test(line)) fail(); // content after the marker
    }
    // Text before the first `---` is a document only when it holds more than comments (as yaml counts).
    const doc = new Reader(lines, start, i, maxNodes).document();
    if (marked || doc.value !== null) docs.push(doc);
    start = i + 1;
    marked = true;
  }
  return docs;
}

class Reader {
  private i: number;
  /** Leading spaces of each line, counted once. */
  private readonly ind: number[] = [];
  /** A line read from a column other than its indentation (the mapping after `- `), and its key. */
  private vLine = -1;
  private vCol = 0;
  private vKey: KeyValue | undefined;
  private depth = 0;
  private nodes = 0;

  constructor(
    private readonly lines: string[],
    start: number,
    private readonly end: number,
    private readonly maxNodes: number,
  ) {
    this.i = start;
    for (let li = start; li < end; li++) this.ind[li] = leading(lines[li] as string);
  }

  document(): FastDoc {
    const first = this.peek();
    if (first < 0) return { value: null, duplicates: [] };
    const root = this.block(this.col(first));
    if (this.peek() >= 0 || !(root instanceof YMap)) fail(); // trailing content, or a root that is not a mapping
    const top = root as YMap;
    const at = top.keys.indexOf('logsource');
    return { value: toJS(root), logsourceLine: at < 0 ? undefined : top.lines[at], duplicates: duplicates(root) };
  }

  private col(li: number): number {
    return li === this.vLine ? this.vCol : (this.ind[li] as number);
  }
  private text(li: number): string {
    return (this.lines[li] as string).slice(this.col(li));
  }
  /** The next line that is neither blank nor a comment, not consumed; -1 at the end of the document. */
  private peek(): number {
    for (let li = this.i; li < this.end; li++) {
      const line = this.lines[li] as string;
      const c = this.col(li);
      if (c < line.length && line.charCodeAt(c) !== 35) return line.includes('\t') ? fail() : li; // not blank, not a comment (#)
    }
    return -1;
  }

  /** A mapping or a sequence starting at the next significant line, whose column is `col`. */
  private block(col: number): YMap | YSeq {
    // Bounded so that the walk for repeated keys never reaches the 100,000 nodes src/rules/tolerant.ts stops at.
    if (++this.depth > 100 || ++this.nodes > this.maxNodes) fail();
    const node = isSeqItem(this.text(this.peek())) ? this.seq(col) : this.map(col);
    this.depth--;
    return node;
  }

  private map(col: number): YMap {
    const map = new YMap();
    for (let li = this.peek(); li >= 0; li = this.peek()) {
      const c = this.col(li);
      if (c < col) break;
      if (c > col) fail();
      const kv = li === this.vLine ? this.vKey : mappingKey(this.text(li));
      if (!kv || ++this.nodes > this.maxNodes) fail();
      this.i = li + 1;
      map.add((kv as KeyValue).key, li + 1, this.value((kv as KeyValue).rest, col, true));
    }
    return map;
  }

  private seq(col: number): YSeq {
    const seq = new YSeq();
    for (let li = this.peek(); li >= 0; li = this.peek()) {
      const c = this.col(li);
      if (c < col) break;
      if (c > col) fail();
      const t = this.text(li);
      if (!isSeqItem(t)) break; // the next key of the mapping this sequence is the value of
      if (++this.nodes > this.maxNodes) fail();
      const spaces = leading(t, 1);
      const item = t.slice(1 + spaces);
      const kv = item === '' || item[0] === '#' || isSeqItem(item) ? undefined : mappingKey(item);
      if (kv) {
        // `- key: value`: a mapping whose column is that of its first key.
        this.vLine = li;
        this.vCol = c + 1 + spaces;
        this.vKey = kv;
        seq.items.push(this.block(this.vCol));
        continue;
      }
      this.i = li + 1;
      if (item === '' || item[0] === '#') seq.items.push(this.nested(col, false));
      else if (isSeqItem(item)) fail();
      else seq.items.push(this.value(' ' + item, col, false));
    }
    return seq;
  }

  /** A value after `key:` (or `- `), `rest` starting with a space or empty; `col` is the parent's column. */
  private value(rest: string, col: number, inMap: boolean): YNode {
    const at = leading(rest);
    if (at === rest.length || rest.charCodeAt(at) === 35) return this.nested(col, inMap);
    const r = at ? rest.slice(at) : rest;
    const c = r[0];
    let node: YNode;
    if (c === '|' || c === '>') return this.blockScalar(r, col);
    if (c === '"' || c === "'") {
      const q = quoted(r, 0);
      if (!q || !endsLine(r, q.end)) fail();
      node = (q as { value: string }).value;
    } else if (c === '[' || c === '{') {
      node = flow(r, this.i); // this.i: the line just taken, 1-based
      this.nodes += node instanceof YMap ? node.keys.length : (node as YSeq).items.length;
    } else {
      node = resolve(this.plainLines(r, col));
    }
    // A more-indented line after a one-line value would continue it (multi-line scalar) or be an error.
    const next = this.peek();
    if (next >= 0 && this.col(next) > col) fail();
    return node;
  }

  /** The value on the lines below a key or dash with nothing after it: a block, an indentless sequence, or null. */
  private nested(col: number, inMap: boolean): YNode {
    const li = this.peek();
    if (li < 0) return null;
    const c = this.col(li);
    if (c > col) {
      const t = this.text(li);
      if (isSeqItem(t) || mappingKey(t)) return this.block(c);
      if (t[0] === '|' || t[0] === '>') fail(); // a block scalar header on a line of its own
      this.i = li + 1;
      return this.value(' ' + t, col, false); // a scalar on a line of its own
    }
    if (c === col && inMap && isSeqItem(this.text(li))) return this.seq(col);
    return null;
  }

  /**
   * A plain scalar from its first line on: the lines below indented more than the parent (`col`) continue
   * it, folded as YAML folds them (a line break is a space, each empty line a newline).
   */
  private plainLines(first: string, col: number): string {
    let value = plain(first);
    let blanks = 0;
    for (let li = this.i; li < this.end; li++) {
      const line = this.lines[li] as string;
      const ind = this.ind[li] as number;
      if (ind === line.length) {
        blanks++;
        continue;
      }
      if (ind <= col || line.charCodeAt(ind) === 35) break; // less indented, or a comment: the scalar ends
      const t = line.slice(ind);
      if (!plainStart(t) || t.includes(' #') || t.includes('\t')) fail();
      value += (blanks ? '\n'.repeat(blanks) : ' ') + plain(t);
      blanks = 0;
      this.i = li + 1;
    }
    return value;
  }

  /** A literal (|) or folded (>) block scalar; clip or strip chomping, indentation from the first line. */
  private blockScalar(header: string, col: number): string {
    const m = /^([|>])(-?)(?: +#.*)? *$/.exec(header);
    if (!m) fail();
    const folded = (m as RegExpExecArray)[1] === '>';
    const first = this.i;
    let li = first;
    while (li < this.end && ((this.ind[li] as number) === (this.lines[li] as string).length || (this.ind[li] as number) > col)) li++;
    this.i = li;
    let firstText = first;
    while (firstText < li && (this.ind[firstText] as number) === (this.lines[firstText] as string).length) firstText++;
    if (firstText === li) return '';
    const indent = this.ind[firstText] as number;
    let lastText = li - 1;
    while ((this.ind[lastText] as number) === (this.lines[lastText] as string).length) lastText--;
    let value = '';
    let blanks = 0;
    for (let k = first; k <= lastText; k++) {
      const line = this.lines[k] as string;
      const ind = this.ind[k] as number;
      if (line.includes('\t')) fail();
      if (ind === line.length) {
        // Blank: more spaces than the indentation would be content; blank lines before the text are kept.
        if (ind > indent) fail();
        if (k < firstText) value += '\n';
        else blanks++;
        continue;
      }
      if (ind < indent || (folded && ind > indent)) fail();
      const content = line.slice(indent);
      if (k === firstText) value += content;
      else if (folded) value += (blanks ? '\n'.repeat(blanks) : ' ') + content;
      else value += '\n'.repeat(blanks + 1) + content;
      blanks = 0;
    }
    for (let k = lastText + 1; k < li; k++) if ((this.ind[k] as number) > indent) fail();
    return (m as RegExpExecArray)[2] === '-' ? value : value + '\n';
  }
}

/** As yaml's toJS: plain objects, a repeated key's last value at its first position. */
function toJS(n: YNode): unknown {
  if (n instanceof YMap) {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < n.keys.length; i++) {
      const k = n.keys[i] as string;
      const v = toJS(n.values[i] as YNode);
      // A key already there, own (repeated) or inherited (toString, __proto__ …), is defined rather than assigned.
      if (n.careful && k in o) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
      else o[k] = v;
    }
    return o;
  }
  return n instanceof YSeq ? n.items.map(toJS) : n;
}

/** Repeated keys, walked as src/rules/tolerant.ts walks yaml's nodes (a stack, maps' pairs in order). */
function duplicates(root: YNode): { key: string; line: number }[] {
  const out: { key: string; line: number }[] = [];
  const stack: YNode[] = [root];
  while (stack.length) {
    const n = stack.pop() as YNode;
    if (n instanceof YMap) {
      if (n.careful) {
        const seen = new Set<string>();
        n.keys.forEach((k, i) => {
          if (seen.has(k)) out.push({ key: k, line: n.lines[i] as number });
          seen.add(k);
        });
      }
      for (const v of n.values) if (v instanceof YMap || v instanceof YSeq) stack.push(v);
    } else if (n instanceof YSeq) {
      for (const v of n.items) if (v instanceof YMap || v instanceof YSeq) stack.push(v);
    }
  }
  return out;
}
