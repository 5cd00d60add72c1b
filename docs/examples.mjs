#!/usr/bin/env node
// Regenerates the marked example blocks of README.md and docs/*.md from real runs of the built CLI
// (`npm run docs:examples`; test/integration/docs-examples.test.ts fails when a block drifts).
//
// A marked block is an HTML comment followed by a fenced block whose lines starting with `$ logsource-check`
// are commands; everything else in the block is their output, rewritten on each run:
//
//   <!-- example: readme-host lines=20 from="Top fixes" -->
//   ```
//   $ logsource-check examples/rules --gpresult examples/hosts/ws-0142-gpresult.xml
//   …output…
//   ```
//
// Options (per block, applied to each command's output): `from="TEXT"` starts at the first line containing TEXT
// ("…" above it); `until="TEXT"` stops before the next line containing TEXT ("…" below it; all of it when absent); `lines=N` keeps at
// most N lines then "…"; `tail=N` the last N lines, "…" above (with lines=, both ends); `cut=N` ends a line longer than N characters with " …" (output the CLI does not wrap);
// `columns=N` is the terminal width (default 120); `none` keeps no output but "…"; `raw`: the output is Markdown
// (--format markdown) and goes after the block, up to a `<!-- /example -->` line, where it renders.
// Prefer from/until over lines: they cut at a heading, so an excerpt stays whole when other output changes.
// A command may end with `  # comment` (not run) and go on over lines ending in a backslash.
// Commands run in a scratch folder where the paths the docs write resolve: `rules/` is SigmaHQ's rules,
// `exported-evtx/` the corpus EVTX samples, `examples/`, `test/` and `data/` are the repository's, and
// `../shared/corpus` is the shared corpus; files a command writes (`--out`, `-o`) land in the scratch folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'logsource-check.mjs');
export const SHARED = resolve(ROOT, '..', 'shared');
const MARKER = /^<!--\s*example:\s*(\S+)(.*?)-->\s*$/;
const FENCE = /^(```|~~~)/;
const END_MARKER = /^<!--\s*\/example\s*-->\s*$/;
const CUT = '…';

/** The Markdown files that may hold marked examples: README.md and docs/*.md. */
export function docFiles(root = ROOT) {
  const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => join('docs', f));
  return ['README.md', ...docs];
}

function parseOptions(text, where) {
  const opts = { lines: undefined, tail: undefined, from: undefined, until: undefined, cut: undefined, columns: 120, none: false, raw: false };
  for (const m of text.matchAll(/(\w+)(?:=("([^"]*)"|\S+))?/g)) {
    const [, key, raw, quoted] = m;
    const value = quoted ?? raw;
    if (key === 'lines' || key === 'tail' || key === 'columns' || key === 'cut') {
      if (!/^\d+$/.test(value ?? '')) throw new Error(`${where}: ${key}= needs a number`);
      opts[key] = Number(value);
    } else if ((key === 'from' || key === 'until') && value !== undefined) opts[key] = value;
    else if ((key === 'none' || key === 'raw') && value === undefined) opts[key] = true;
    else throw new Error(`${where}: unknown example option "${m[0]}" (from="TEXT", until="TEXT", lines=N, tail=N, cut=N, columns=N, none, raw)`);
  }
  return opts;
}

/** Every marked example of one Markdown text: where its block body is, its commands and options. */
export function parseExamples(text, file) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const where = `${file}:${i + 1}`;
    const open = i + 1;
    const fence = FENCE.exec(lines[open] ?? '');
    if (!fence) throw new Error(`${where}: an example marker must be followed by a fenced block`);
    let close = open + 1;
    while (close < lines.length && !lines[close].startsWith(fence[1])) close++;
    if (close >= lines.length) throw new Error(`${where}: the example's fenced block is not closed`);
    // A command is a "$ " line and, while a line ends with a backslash, the lines after it.
    const commands = [];
    for (let k = open + 1; k < close; k++) {
      if (!lines[k].startsWith('$ ')) continue;
      let command = lines[k];
      while (command.endsWith('\\') && k + 1 < close) command += '\n' + lines[++k];
      commands.push(command);
    }
    if (commands.length === 0 || !lines[open + 1].startsWith('$ logsource-check ')) {
      throw new Error(`${where}: the block's first line must be a "$ logsource-check …" command`);
    }
    for (const c of commands) if (!c.startsWith('$ logsource-check ')) throw new Error(`${where}: only logsource-check commands run: ${c}`);
    const options = parseOptions(m[2], where);
    if (options.raw) {
      // Output that is Markdown itself (--format markdown): it goes, rendered, between the block and the end marker.
      let end = close + 1;
      while (end < lines.length && !END_MARKER.test(lines[end])) end++;
      if (end >= lines.length) throw new Error(`${where}: a raw example needs a closing <!-- /example --> line after its block`);
      out.push({ id: m[1], file, line: i + 1, bodyStart: close + 1, bodyEnd: end, commands, options, current: lines.slice(close + 1, end).join('\n') });
      i = end;
      continue;
    }
    out.push({ id: m[1], file, line: i + 1, bodyStart: open + 1, bodyEnd: close, commands, options, current: lines.slice(open + 1, close).join('\n') });
    i = close;
  }
  return out;
}

/** All marked examples of the repository's docs; ids are unique. */
export function collectExamples(root = ROOT) {
  const all = [];
  for (const file of docFiles(root)) all.push(...parseExamples(readFileSync(join(root, file), 'utf8'), file));
  const seen = new Map();
  for (const e of all) {
    if (seen.has(e.id)) throw new Error(`${e.file}:${e.line}: example id "${e.id}" is also used at ${seen.get(e.id)}`);
    seen.set(e.id, `${e.file}:${e.line}`);
  }
  return all;
}

/** Shell-like words of a documented command (quotes, no expansion); a trailing `  # comment` is not run. */
export function commandArgs(command) {
  const text = command.replace(/\\\n/g, ' ').replace(/^\$ logsource-check\s+/, '').replace(/\s{2,}#.*$/, '');
  const words = [];
  for (const m of text.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    // No shell runs these: a pipe or a redirection would reach the CLI as an argument.
    if (m[3] !== undefined && /^(\||>|<|&&|;|2>)/.test(m[3])) throw new Error(`"${m[3]}" in "${command}": pipes and redirections are not run; mark only plain commands`);
    words.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]);
  }
  return words;
}

/** Whether an example reads the shared corpus (then it is skipped, visibly, where the corpus is absent). */
export function needsCorpus(example) {
  return example.commands.some((c) => commandArgs(c).some((a) => /^(rules|exported-evtx)(\/|$)|^\.\.\/shared\//.test(a)));
}

/** A scratch folder where the documented paths resolve (see the header). */
function scratch() {
  const base = mkdtempSync(join(tmpdir(), 'lsc-doc-examples-'));
  const cwd = join(base, 'repo');
  mkdirSync(cwd);
  for (const d of ['examples', 'test', 'data']) symlinkSync(join(ROOT, d), join(cwd, d));
  symlinkSync(join(SHARED, 'corpus', 'sigmahq', 'rules'), join(cwd, 'rules'));
  symlinkSync(join(SHARED, 'corpus', 'evtx'), join(cwd, 'exported-evtx'));
  symlinkSync(SHARED, join(base, 'shared'));
  return { base, cwd };
}

function runOne(args, cwd, columns, env) {
  // stdout and stderr into one file, in the order the CLI writes them (as a terminal shows them).
  const outFile = join(cwd, '..', `out-${process.hrtime.bigint()}.txt`);
  const fd = openSync(outFile, 'w');
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, NO_COLOR: '1', COLUMNS: String(columns), ...env },
    });
    child.on('error', fail);
    child.on('close', (status) => {
      closeSync(fd);
      done({ status, output: readFileSync(outFile, 'utf8') });
    });
  });
}

/** The excerpt the doc shows of one command's output, deterministic for given output. */
export function excerpt(output, options, status) {
  let lines = output.replace(/\s+$/, '').split('\n').map((l) => l.replace(/\s+$/, ''));
  if (output.trim() === '') lines = [];
  const shown = [];
  if (options.from !== undefined) {
    const at = lines.findIndex((l) => l.includes(options.from));
    if (at < 0) throw new Error(`from="${options.from}" is not in the output`);
    if (at > 0) shown.push(CUT);
    lines = lines.slice(at);
  }
  if (options.until !== undefined) {
    // Not found: the whole output (a block may hold a command that prints one line before the one it cuts).
    const at = lines.findIndex((l, i) => i > 0 && l.includes(options.until));
    if (at >= 0) {
      lines = lines.slice(0, at);
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      lines.push(CUT);
    }
  }
  if (options.none) lines = lines.length ? [CUT] : [];
  if (options.cut !== undefined) lines = lines.map((l) => ([...l].length > options.cut ? [...l].slice(0, options.cut).join('') + ' ' + CUT : l));
  const head = options.lines ?? 0;
  const tail = options.tail ?? 0;
  if (options.lines !== undefined && options.tail !== undefined) {
    // Both: the first `lines` and the last `tail`, "…" between them.
    if (lines.length > head + tail) lines = [...lines.slice(0, head), CUT, ...lines.slice(lines.length - tail)];
  } else if (options.lines !== undefined && lines.length > head) lines = [...lines.slice(0, head), CUT];
  else if (options.tail !== undefined && lines.length > tail) lines = [CUT, ...lines.slice(lines.length - tail)];
  shown.push(...lines);
  if (status !== 0) shown.push(`(exit code ${status})`);
  return shown;
}

/** Runs one example's commands; returns the block body as the doc should show it. */
export async function render(example, env = {}) {
  const { base, cwd } = scratch();
  try {
    const body = [];
    for (const command of example.commands) {
      const { status, output } = await runOne(commandArgs(command), cwd, example.options.columns, env);
      // Nothing of the scratch folder leaks into the docs.
      const clean = output.split(cwd + '/').join('').split(base + '/').join('').split(ROOT).join('.');
      let shown;
      try {
        shown = excerpt(clean, example.options, status);
      } catch (e) {
        throw new Error(`${example.file}:${example.line} (${example.id}): ${e.message}; the output was:\n${clean}`);
      }
      if (!example.options.raw && shown.some((l) => FENCE.test(l))) throw new Error(`${example.file}:${example.line}: the output holds a code fence`);
      if (example.options.raw) body.push('', ...shown, '');
      else body.push(command, ...shown);
    }
    return body.join('\n');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** The bundle must be newer than every source file, or the docs would show an old CLI. */
export function staleBuild() {
  if (!existsSync(CLI)) return `${relative(ROOT, CLI)} is missing: run npm run build first`;
  const built = statSync(CLI).mtimeMs;
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
  const newer = [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'data'))].filter((f) => statSync(f).mtimeMs > built);
  return newer.length ? `${relative(ROOT, CLI)} is older than ${relative(ROOT, newer[0])}${newer.length > 1 ? ` and ${newer.length - 1} more` : ''}: run npm run build first` : undefined;
}

async function main(argv) {
  const check = argv.includes('--check');
  const only = argv.filter((a) => !a.startsWith('--'));
  const stale = staleBuild();
  if (stale) {
    console.error(`docs:examples: ${stale}`);
    return 2;
  }
  const haveCorpus = existsSync(join(SHARED, 'corpus'));
  const examples = collectExamples().filter((e) => only.length === 0 || only.includes(e.id));
  const results = new Map();
  let skipped = 0;
  let failed = 0;
  // Two at a time: the runs are mostly CPU, and the machine is shared.
  const queue = [...examples];
  const worker = async () => {
    for (let e = queue.shift(); e; e = queue.shift()) {
      if (needsCorpus(e) && !haveCorpus) {
        console.error(`SKIPPED ${e.id} (${e.file}:${e.line}): ${join(SHARED, 'corpus')} is absent`);
        skipped++;
        continue;
      }
      try {
        results.set(e, await render(e));
      } catch (err) {
        // One broken example does not stop the others from being regenerated.
        console.error(`FAILED ${e.id} (${e.file}:${e.line}): ${err.message}`);
        failed++;
      }
    }
  };
  await Promise.all([worker(), worker()]);
  let changed = 0;
  for (const file of docFiles()) {
    const mine = examples.filter((e) => e.file === file && results.has(e));
    if (mine.length === 0) continue;
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    // From the bottom up, so the line numbers of the blocks above stay right.
    for (const e of [...mine].sort((a, b) => b.bodyStart - a.bodyStart)) {
      const body = results.get(e);
      if (body === e.current) continue;
      changed++;
      console.log(`${check ? 'drifted' : 'updated'} ${e.id} (${file}:${e.line})`);
      lines.splice(e.bodyStart, e.bodyEnd - e.bodyStart, ...body.split('\n'));
    }
    if (!check) writeFileSync(join(ROOT, file), lines.join('\n'));
  }
  console.log(`${results.size} example(s) run, ${changed} ${check ? 'drifted' : 'updated'}${skipped ? `, ${skipped} skipped` : ''}${failed ? `, ${failed} failed (above)` : ''}`);
  return failed || (check && changed) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`docs:examples: ${e.message}`);
      process.exit(2);
    },
  );
}
