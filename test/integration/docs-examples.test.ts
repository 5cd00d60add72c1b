import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectExamples, commandArgs, excerpt, needsCorpus, parseExamples, render, type Example } from '../../docs/examples.mjs';
import { HAVE_CORPUS } from '../helpers.js';

// Every marked example of README.md and docs/*.md is what the CLI prints today (docs/examples.mjs regenerates them).
const examples = collectExamples();
const CACHE = mkdtempSync(join(tmpdir(), 'lsc-docs-cache-'));

/** A readable line diff (longest common subsequence): the doc's lines (-), the CLI's (+), one line of context. */
function lineDiff(doc: string, cli: string): string {
  const a = doc.split('\n');
  const b = cli.split('\n');
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]; blocks are short.
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push(`+ ${b[j++]}`);
    else ops.push(`- ${a[i++]}`);
  }
  const changed = (k: number) => ops[k] !== undefined && !ops[k].startsWith('  ');
  const out = ops.filter((_op, k) => changed(k) || changed(k - 1) || changed(k + 1));
  return out.slice(0, 60).join('\n') + (out.length > 60 ? `\n… ${out.length - 60} more diff lines` : '');
}

describe('docs examples are what the CLI prints', () => {
  it('README.md and docs/usage.md and docs/policy-diff.md have marked examples', () => {
    for (const file of ['README.md', 'docs/usage.md', 'docs/policy-diff.md']) {
      expect(examples.filter((e) => e.file === file).length, file).toBeGreaterThan(0);
    }
  });

  for (const e of examples) {
    const skip = needsCorpus(e) && !HAVE_CORPUS;
    if (skip) console.warn(`SKIPPED docs example ${e.id} (${e.file}:${e.line}): it reads ../shared/corpus, which is absent`);
    it.skipIf(skip)(
      `${e.id} (${e.file}:${e.line})`,
      async () => {
        const cli = await render(e, { LOGSOURCE_CHECK_CACHE_DIR: CACHE });
        if (cli !== e.current) {
          expect.fail(
            `docs example ${e.id} in ${e.file}:${e.line} drifted from the CLI output — run npm run docs:examples (after npm run build) and review the diff:\n${lineDiff(e.current, cli)}`,
          );
        }
      },
      120_000,
    ); // a fleet `fix` over rules/ takes seconds: the default 5 s is too short
  }
});

describe('docs/examples.mjs', () => {
  const doc = (marker: string, body: string) => `text\n${marker}\n\`\`\`\n${body}\n\`\`\`\nmore\n`;
  const one = (marker: string, body: string): Example => {
    const [e] = parseExamples(doc(marker, body), 'x.md');
    if (!e) throw new Error('no example parsed');
    return e;
  };

  it('finds the block after a marker, its commands and options', () => {
    const e = one('<!-- example: a lines=3 from="Top fixes" columns=80 -->', '$ logsource-check x --role "a b"  # note\nold');
    expect(e).toMatchObject({ id: 'a', line: 2, bodyStart: 3, bodyEnd: 5, current: '$ logsource-check x --role "a b"  # note\nold' });
    expect(e.options).toEqual({ lines: 3, tail: undefined, from: 'Top fixes', until: undefined, cut: undefined, columns: 80, none: false, raw: false });
    expect(commandArgs(e.commands[0] ?? '')).toEqual(['x', '--role', 'a b']);
    const long = one('<!-- example: b -->', '$ logsource-check x \\\n    --verbose\nold');
    expect(long.commands).toEqual(['$ logsource-check x \\\n    --verbose']);
    expect(commandArgs(long.commands[0] ?? '')).toEqual(['x', '--verbose']);
    expect(() => commandArgs("$ logsource-check x -f json | jq -r '.rules'")).toThrow(/pipes and redirections are not run/);
    expect(commandArgs("$ logsource-check x --include '**/a|b/**'")).toEqual(['x', '--include', '**/a|b/**']);
  });

  it('a raw example (Markdown output) spans from its block to the end marker', () => {
    const text = 'a\n<!-- example: md raw -->\n```\n$ logsource-check x -f markdown\n```\n\n### old\n\n<!-- /example -->\nb\n';
    const [e] = parseExamples(text, 'x.md');
    expect(e).toMatchObject({ id: 'md', bodyStart: 5, bodyEnd: 8, current: '\n### old\n', commands: ['$ logsource-check x -f markdown'] });
    expect(() => parseExamples('<!-- example: md raw -->\n```\n$ logsource-check x\n```\n', 'x.md')).toThrow(/<!-- \/example -->/);
  });

  it('refuses a marker without a command block, an unknown option and a non-logsource-check command', () => {
    expect(() => parseExamples('<!-- example: a -->\ntext\n', 'x.md')).toThrow(/x\.md:1: .*fenced block/);
    expect(() => one('<!-- example: a lines=many -->', '$ logsource-check x')).toThrow(/lines= needs a number/);
    expect(() => one('<!-- example: a bogus=1 -->', '$ logsource-check x')).toThrow(/unknown example option/);
    expect(() => one('<!-- example: a -->', '$ rm -rf /')).toThrow(/first line must be/);
  });

  it('cuts deterministically: from, lines, "…", the exit code', () => {
    const out = 'one\ntwo   \nTop fixes\nfour\nfive\nsix\n';
    expect(excerpt(out, { lines: 2, tail: undefined, from: 'Top', until: undefined, cut: undefined, columns: 120, none: false, raw: false }, 0)).toEqual([
      '…',
      'Top fixes',
      'four',
      '…',
    ]);
    expect(
      excerpt(out, { lines: undefined, tail: undefined, from: undefined, until: undefined, cut: undefined, columns: 120, none: false, raw: false }, 1),
    ).toEqual(['one', 'two', 'Top fixes', 'four', 'five', 'six', '(exit code 1)']);
    expect(excerpt(out, { lines: undefined, tail: undefined, from: 'two', until: 'five', cut: undefined, columns: 120, none: false, raw: false }, 0)).toEqual([
      '…',
      'two',
      'Top fixes',
      'four',
      '…',
    ]);
    expect(
      excerpt('abcdef\nab', { lines: undefined, tail: undefined, from: undefined, until: undefined, cut: 3, columns: 120, none: false, raw: false }, 0),
    ).toEqual(['abc …', 'ab']);
    expect(excerpt(out, { lines: undefined, tail: 2, from: undefined, until: undefined, cut: undefined, columns: 120, none: false, raw: false }, 0)).toEqual([
      '…',
      'five',
      'six',
    ]);
    expect(excerpt(out, { lines: 1, tail: 1, from: undefined, until: undefined, cut: undefined, columns: 120, none: false, raw: false }, 0)).toEqual([
      'one',
      '…',
      'six',
    ]);
    expect(() =>
      excerpt(out, { lines: undefined, tail: undefined, from: 'absent', until: undefined, cut: undefined, columns: 120, none: false, raw: false }, 0),
    ).toThrow(/not in the output/);
  });

  it('knows which examples need the corpus', () => {
    expect(needsCorpus(one('<!-- example: a -->', '$ logsource-check rules/ --gpresult x.xml'))).toBe(true);
    expect(needsCorpus(one('<!-- example: a -->', '$ logsource-check examples/rules'))).toBe(false);
  });
});
