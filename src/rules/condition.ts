/**
 * Sigma condition grammar, parsed into a small AST so that we can tell which selections
 * can contribute positively (i.e. are not only used under an odd number of `not`s).
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | quant 'of' (pattern | 'them') | identifier
 *   quant   := '1' | 'any' | 'all'
 */

export type ConditionNode =
  | { type: 'ref'; name: string }
  | { type: 'of'; quantifier: 'one' | 'all'; pattern: string }
  | { type: 'not'; operand: ConditionNode }
  | { type: 'and' | 'or'; operands: ConditionNode[] };

export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[^\s()]+)/gy;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null) tokens.push(m[1] as string);
  return tokens;
}

/** Parses one condition string. A trailing `| aggregation` (Sigma v1) is cut off and reported. */
export function parseCondition(text: string): { ast: ConditionNode; warnings: string[] } {
  const warnings: string[] = [];
  let body = text;
  const pipe = body.indexOf('|');
  if (pipe >= 0) {
    warnings.push(`aggregation "${body.slice(pipe + 1).trim()}" in the condition is ignored`);
    body = body.slice(0, pipe);
  }
  const tokens = tokenize(body);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const lower = (): string | undefined => tokens[pos]?.toLowerCase();

  const parseExpr = (): ConditionNode => {
    const operands = [parseAnd()];
    while (lower() === 'or') {
      pos++;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { type: 'or', operands };
  };
  const parseAnd = (): ConditionNode => {
    const operands = [parseUnary()];
    while (lower() === 'and') {
      pos++;
      operands.push(parseUnary());
    }
    return operands.length === 1 ? (operands[0] as ConditionNode) : { type: 'and', operands };
  };
  const parseUnary = (): ConditionNode => {
    if (lower() === 'not') {
      pos++;
      return { type: 'not', operand: parseUnary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const tok = peek();
    if (tok === undefined) throw new ConditionError(`condition "${text}" ends unexpectedly`);
    if (tok === '(') {
      pos++;
      const inner = parseExpr();
      if (peek() !== ')') throw new ConditionError(`condition "${text}" has an unclosed parenthesis`);
      pos++;
      return inner;
    }
    if (tok === ')') throw new ConditionError(`condition "${text}" has an unexpected ")"`);
    const low = tok.toLowerCase();
    if (['and', 'or', 'of'].includes(low)) throw new ConditionError(`condition "${text}" has "${tok}" where a selection is expected`);
    if ((low === '1' || low === 'any' || low === 'all') && tokens[pos + 1]?.toLowerCase() === 'of') {
      const pattern = tokens[pos + 2];
      if (pattern === undefined || pattern === '(' || pattern === ')') {
        throw new ConditionError(`condition "${text}" has "${tok} of" without a selection pattern`);
      }
      pos += 3;
      return { type: 'of', quantifier: low === 'all' ? 'all' : 'one', pattern };
    }
    pos++;
    return { type: 'ref', name: tok };
  };

  const ast = parseExpr();
  if (pos < tokens.length) throw new ConditionError(`condition "${text}" has unexpected "${tokens[pos]}"`);
  return { ast, warnings };
}

/** Selection names matched by an `x of pattern` term; `them` means all, except names starting with `_`. */
export function expandPattern(pattern: string, selections: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return selections.filter((s) => !s.startsWith('_'));
  if (!pattern.includes('*')) return selections.filter((s) => s === pattern);
  const re = new RegExp('^' + pattern.split('*').map(escapeRegExp).join('.*') + '$');
  return selections.filter((s) => re.test(s));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface SelectionUse {
  positive: Set<string>;
  negative: Set<string>;
  /** Names referenced by the condition that the detection does not define. */
  undefinedRefs: string[];
}

/** Walks the AST and sorts every referenced selection by polarity (under an even or odd number of `not`). */
export function classifySelections(ast: ConditionNode, selections: readonly string[]): SelectionUse {
  const use: SelectionUse = { positive: new Set(), negative: new Set(), undefinedRefs: [] };
  const walk = (node: ConditionNode, negated: boolean): void => {
    switch (node.type) {
      case 'ref': {
        if (!selections.includes(node.name)) use.undefinedRefs.push(node.name);
        else (negated ? use.negative : use.positive).add(node.name);
        return;
      }
      case 'of': {
        const names = expandPattern(node.pattern, selections);
        if (names.length === 0) use.undefinedRefs.push(node.pattern);
        for (const n of names) (negated ? use.negative : use.positive).add(n);
        return;
      }
      case 'not':
        walk(node.operand, !negated);
        return;
      default:
        for (const op of node.operands) walk(op, negated);
    }
  };
  walk(ast, false);
  return use;
}

/**
 * Whether the condition can still be true when only some selections can match (e.g. a log source lacks a
 * field). A negated term is taken as possibly true: a filter that cannot match does not stop the rule.
 */
export function canMatch(ast: ConditionNode, selections: readonly string[], matchable: (name: string) => boolean): boolean {
  switch (ast.type) {
    case 'ref':
      return selections.includes(ast.name) ? matchable(ast.name) : false;
    case 'of': {
      const names = expandPattern(ast.pattern, selections);
      return ast.quantifier === 'all' ? names.length > 0 && names.every(matchable) : names.some(matchable);
    }
    case 'not':
      return true;
    case 'and':
      return ast.operands.every((op) => canMatch(op, selections, matchable));
    default:
      return ast.operands.some((op) => canMatch(op, selections, matchable));
  }
}
