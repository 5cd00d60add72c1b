#!/usr/bin/env node
// npm run fuzz [-- --cases N --seed S]: hostile and malformed inputs through the built CLI, each case in its own
// process, bounded in time (10 s) and memory (512 MB RSS). A case fails on a crash (exit code other than 0, 1, 2),
// an internal error or stack trace, a run over the bounds, or an invalid output (JSON that does not parse, a CSV
// cell that starts a formula, raw HTML or a javascript: link in Markdown, an escape sequence on the terminal,
// generated Sysmon XML that a strict parser refuses, a C0/C1 or bidi control in any output, a generated file in
// the wrong encoding: .ps1 UTF-8 with BOM, .cmd ASCII-only, .reg UTF-16LE with BOM, a PowerShell single-quoted
// literal broken once decoded as PowerShell decodes it; a write through a link). The classes: mutated rules, host
// inputs and collector configs and observed-count exports from the fixtures, hostile text in titles and values,
// special files, zips; encodings (letters whose UTF-8 bytes are quotes in cp1252, typographic quotes in values
// that reach a .ps1, rule files in UTF-8 / UTF-8+BOM / UTF-16LE), bidi and C1 controls in titles, categories
// and values, output paths through links, and --pipeline files with a 20,000-item list.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'logsource-check.mjs');
const PROBE = join(ROOT, 'bench', 'rss-probe.mjs');
const LIMIT_MS = 10_000;
const LIMIT_MB = 512;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed with its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = ['\u001b]0;owned\u0007', '\u001b[31mred\u001b[0m', '=HYPERLINK("http://x")', '+cmd|/c calc', '@SUM(1)', '-1+1', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '-->', ']]>', '\u0000', '\ufffe', '\r', '&#0;', '%PATH%', '"&calc&"', "'; rm -rf /; '", '\\\\server\\share', '9'.repeat(400), '{'.repeat(200)];

/** Text as the bytes of its UTF-8 form, one Latin-1 character each: how it enters a fixture read as Latin-1. */
const utf8 = (t) => Buffer.from(t, 'utf8').toString('latin1');
/** Bidi controls (embeddings, overrides, isolates) and C1 CSI: they reorder or recolour what a reader sees. */
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
const CONTROLS = [...BIDI, '\u009b31m', '\u0085', '\u001b[2J', '\u0007'];
HOSTILE.push(...['\u202eexe.txt', '\u2066x\u2069', '\u009b31mred', 'В', 'Ð’', '\u2018\u2019\u201a\u201b'].map(utf8));
/**
 * Letters whose UTF-8 bytes read as a quote in cp1252 (Cyrillic В is D0 92, and 0x92 is ’ there: PowerShell 5.1
 * reads a BOM-less script that way and ends a single-quoted literal on it), and the typographic quotes that
 * PowerShell takes for single quotes in any encoding.
 */
const QUOTY = ['В', 'ВВ', 'Ð’', 'Тест’', '\u2018', '\u2019', '\u201a', '\u201b', 'x\u2019; calc; \u2018', '\u2019\u2019', 'Вы\u201a', 'Ђ', 'ђ'];

function fixtures() {
  const read = (dir, re) => readdirSync(join(ROOT, dir)).filter((f) => re.test(f)).map((f) => ({ name: f, text: readFileSync(join(ROOT, dir, f), 'latin1') }));
  return {
    rules: [...read('examples/rules/windows', /\.ya?ml$/), ...read('test/fixtures/wild', /\.ya?ml$/)],
    gpresult: read('test/fixtures/environment', /^gpresult-utf8.*\.xml$/),
    auditpol: read('test/fixtures/environment', /\.csv$/),
    sysmon: read('test/fixtures/sysmon', /\.xml$/),
    collector: read('test/fixtures/collectors', /\.(xml|conf|yml)$/),
    observed: read('test/fixtures/observed', /\.(csv|json)$/),
    sacl: readFileSync(join(ROOT, 'examples/rules/windows/security_registry_run_key_object_access.yml'), 'utf8'),
  };
}

function mutate(text, r) {
  let t = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * (t.length + 1));
    const k = r();
    if (k < 0.4) t = t.slice(0, pos) + HOSTILE[Math.floor(r() * HOSTILE.length)] + t.slice(pos);
    else if (k < 0.6) t = t.slice(0, pos) + String.fromCharCode(Math.floor(r() * 256)) + t.slice(pos + 1);
    else if (k < 0.75) t = t.slice(0, pos) + t.slice(pos + Math.floor(r() * 40));
    else if (k < 0.9) {
      const lines = t.split('\n');
      const j = Math.floor(r() * lines.length);
      lines.splice(j, 0, lines[j] ?? '');
      t = lines.join('\n');
    } else t = t.replace(/title: .*/, `title: "${HOSTILE[Math.floor(r() * HOSTILE.length)].replace(/["\\]/g, '')} ${HOSTILE[Math.floor(r() * HOSTILE.length)].replace(/["\\]/g, '')}"`);
  }
  return t;
}

/** One case: files written into a fresh folder, the CLI arguments and which output checks apply. */
function makeCase(i, r, fx, base) {
  const dir = join(base, `case-${i}`);
  mkdirSync(join(dir, 'rules'), { recursive: true });
  const pick = (list) => list[Math.floor(r() * list.length)];
  const rule = pick(fx.rules);
  writeFileSync(join(dir, 'rules', rule.name), mutate(rule.text, r), 'latin1');
  writeFileSync(join(dir, 'rules', `b-${rule.name}`), pick(fx.rules).text, 'latin1');
  const args = [join(dir, 'rules')];
  const kind = Math.floor(r() * 12);
  if (kind >= 8) return newCase(kind, dir, r, fx, pick);
  if (kind === 0) {
    writeFileSync(join(dir, 'host.xml'), mutate(pick(fx.gpresult).text, r), 'latin1');
    args.push('--gpresult', join(dir, 'host.xml'));
  } else if (kind === 1) {
    writeFileSync(join(dir, 'a.csv'), mutate(pick(fx.auditpol).text, r), 'latin1');
    args.push('--auditpol', join(dir, 'a.csv'));
  } else if (kind === 2) {
    writeFileSync(join(dir, 's.xml'), mutate(pick(fx.sysmon).text, r), 'latin1');
    args.push('--sysmon', join(dir, 's.xml'));
  } else if (kind === 3) {
    const c = pick(fx.collector);
    writeFileSync(join(dir, c.name), mutate(c.text, r), 'latin1');
    args.push('--collector', join(dir, c.name));
  } else if (kind === 4) {
    // special files where inputs are expected
    const spawn = spawnSync('mkfifo', [join(dir, 'rules', 'fifo.yml')]);
    if (spawn.status !== 0) writeFileSync(join(dir, 'rules', 'fifo.yml'), '');
    mkdirSync(join(dir, 'gp'));
    symlinkSync('/dev/zero', join(dir, 'gp', 'zero.xml'));
    symlinkSync('/proc', join(dir, 'rules', 'proc'));
    args.push('--gpresult', join(dir, 'gp'));
  } else if (kind === 5) {
    return { args: ['sysmon-config', join(dir, 'rules'), ...(r() < 0.5 ? ['--for-rule'] : ['--mode', 'targeted'])], out: 'sysmon' };
  } else if (kind === 6) {
    writeFileSync(join(dir, 'host.xml'), pick(fx.gpresult).text, 'latin1');
    return { args: ['fix', join(dir, 'rules'), '--gpresult', join(dir, 'host.xml'), '--out', join(dir, 'out')], out: 'fix', after: () => checkFiles(join(dir, 'out')) };
  } else if (kind === 7) {
    // observed counts (--observed): mutated SIEM exports, alone or beside a host input
    const o = pick(fx.observed);
    writeFileSync(join(dir, o.name), mutate(o.text, r), 'latin1');
    args.push('--observed', join(dir, o.name));
    if (r() < 0.5) {
      writeFileSync(join(dir, 'host.xml'), pick(fx.gpresult).text, 'latin1');
      args.push('--gpresult', join(dir, 'host.xml'));
    }
  }
  const format = pick(['json', 'csv', 'markdown', 'table', 'sarif', 'html']);
  return { args: [...args, '--format', format, ...(r() < 0.5 ? ['--verbose'] : [])], out: format };
}

/** The classes of this round: encodings and quotes, controls, links in output paths, huge pipelines. */
function newCase(kind, dir, r, fx, pick) {
  const gp = pick(fx.gpresult).text;
  if (kind === 8) {
    // Encodings and quotes: a value that reaches set-audit-sacls.ps1, and the title that names it there, in a
    // rule file written as UTF-8, UTF-8 with a BOM or UTF-16LE with a BOM.
    const q = () => pick(QUOTY) + (r() < 0.3 ? pick(CONTROLS) : '');
    const text = fx.sacl
      .replace(/^title: .*$/m, `title: "Run Key ${q()} Modified ${q()}"`)
      .replace("ObjectName|contains: '\\CurrentVersion\\Run'", `ObjectName|contains:\n            - '\\CurrentVersion\\Run${q()}'\n            - '\\CurrentVersion\\${q()}\\RunOnce'`);
    const enc = pick(['utf8', 'bom', 'utf16']);
    const bytes = enc === 'utf16' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.concat([Buffer.from(enc === 'bom' ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);
    writeFileSync(join(dir, 'rules', 'sacl.yml'), bytes);
    writeFileSync(join(dir, 'host.xml'), gp, 'latin1');
    return { args: ['fix', join(dir, 'rules'), '--gpresult', join(dir, 'host.xml'), '--out', join(dir, 'out')], out: 'fix', after: () => checkFiles(join(dir, 'out')) };
  }
  if (kind === 9) {
    // Bidi and C1 controls in the title, the category and a field value, in every report format.
    const c = () => pick(CONTROLS);
    const rule = pick(fx.rules).text;
    const text = utf8(
      Buffer.from(rule, 'latin1')
        .toString('utf8')
        .replace(/^title: .*$/m, `title: "${c()}Evil${c()} title${c()}"`)
        .replace(/^(\s+)category: .*$/m, `$1category: "proc${c()}ess_creation"`)
        .replace(/^(\s+)(\w+)(\|\w+)?: '([^'\n]*)'$/m, `$1$2$3: '$4${c()}x'`)
        .replace(/[\u0007\u001b]/g, (ch) => (ch === '\u0007' ? '\\a' : '\\e')),
    );
    writeFileSync(join(dir, 'rules', 'ctl.yml'), text, 'latin1');
    const args = [join(dir, 'rules')];
    if (r() < 0.5) {
      writeFileSync(join(dir, 'host.xml'), gp, 'latin1');
      args.push('--gpresult', join(dir, 'host.xml'));
    }
    const format = pick(['json', 'csv', 'markdown', 'table', 'sarif', 'html']);
    return { args: [...args, '--format', format, ...(r() < 0.5 ? ['--verbose'] : [])], out: format };
  }
  if (kind === 10) {
    // An output path through a link (at the end of the path or in its middle): refused, nothing in the target.
    mkdirSync(join(dir, 'target'));
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    const where = r() < 0.5 ? join(dir, 'link') : join(dir, 'link', 'sub');
    if (where.endsWith('sub')) mkdirSync(join(dir, 'target', 'sub'));
    writeFileSync(join(dir, 'host.xml'), gp, 'latin1');
    const args = pick([
      ['fix', join(dir, 'rules'), '--gpresult', join(dir, 'host.xml'), '--out', where],
      ['guides', '--out', where],
      [join(dir, 'rules'), '--format', pick(['json', 'html', 'csv']), '-o', join(where, 'report')],
      ['sysmon-config', join(dir, 'rules'), '-o', join(where, 'sysmon.xml')],
    ]);
    const written = () => readdirSync(join(dir, 'target'), { recursive: true }).filter((n) => n !== 'sub');
    return { args, out: 'link', expectStatus: 2, after: () => (written().length ? `written through a link: ${written().slice(0, 3).join(', ')}` : undefined) };
  }
  // --pipeline with a 20,000-item list: transformations, EventIDs of one condition, or rule conditions.
  const n = 20_000;
  const shape = Math.floor(r() * 3);
  const body =
    shape === 0
      ? Array.from({ length: n }, (_, i) => `  - id: t${i}\n    type: add_condition\n    conditions:\n      Channel: App-${i}/Operational\n      EventID: ${i}\n    rule_conditions:\n      - type: logsource\n        product: windows\n        category: cat_${i}`).join('\n')
      : shape === 1
        ? `  - id: a\n    type: add_condition\n    conditions:\n      Channel: X/Operational\n      EventID: [${Array.from({ length: n }, (_, i) => i).join(', ')}]\n    rule_conditions:\n      - type: logsource\n        product: windows\n        category: x`
        : `  - id: a\n    type: add_condition\n    conditions:\n      Channel: X/Operational\n    rule_conditions:\n${Array.from({ length: n }, (_, i) => `      - type: logsource\n        product: windows\n        category: c${i}`).join('\n')}`;
  writeFileSync(join(dir, 'pipeline.yml'), `name: huge\ntransformations:\n${body}\n`);
  const format = pick(['json', 'table', 'csv']);
  return { args: [join(dir, 'rules'), '--pipeline', join(dir, 'pipeline.yml'), '--format', format], out: format };
}

/** C0 controls but tab, LF and CR; C1 controls; bidi embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

function noControl(text, what) {
  const m = CONTROL.exec(text);
  if (m) throw new Error(`control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} in ${what} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 30), m.index + 10))}`);
}

/** Single, double and typographic quote characters as PowerShell's tokenizer takes them. */
const PS_SINGLE = /['\u2018\u2019\u201a\u201b]/;
const PS_DOUBLE = /["\u201c\u201d\u201e]/;

/**
 * Every single-quoted PowerShell literal of a script closes before the end of its line and is followed by
 * syntax (a space, a separator, a bracket), never by more text — what a quote that the decoding made out of a
 * letter's byte, or an undoubled typographic quote, does. Double-quoted strings and comments are skipped.
 */
export function psLiteralsIntact(script) {
  let i = 0;
  let line = 1;
  const n = script.length;
  while (i < n) {
    const ch = script[i];
    if (ch === '\n') line++;
    if (ch === '#') {
      while (i < n && script[i] !== '\n') i++;
      continue;
    }
    if (PS_DOUBLE.test(ch)) {
      i++;
      while (i < n) {
        if (script[i] === '`') i += 2;
        else if (PS_DOUBLE.test(script[i]) && PS_DOUBLE.test(script[i + 1] ?? '')) i += 2;
        else if (PS_DOUBLE.test(script[i])) break;
        else {
          if (script[i] === '\n') line++;
          i++;
        }
      }
      i++;
      continue;
    }
    if (PS_SINGLE.test(ch)) {
      const start = i;
      i++;
      for (;;) {
        if (i >= n || script[i] === '\n' || script[i] === '\r') throw new Error(`line ${line}: a single-quoted literal runs past the end of its line: ${JSON.stringify(script.slice(start, start + 60))}`);
        if (PS_SINGLE.test(script[i]) && PS_SINGLE.test(script[i + 1] ?? '')) i += 2;
        else if (PS_SINGLE.test(script[i])) break;
        else i++;
      }
      i++;
      if (i < n && !/[\s,;)\]}|+.]/.test(script[i])) throw new Error(`line ${line}: a single-quoted literal is broken: text follows its closing quote: ${JSON.stringify(script.slice(start, i + 20))}`);
      continue;
    }
    i++;
  }
}

/**
 * The files a command wrote (fix --out): each in the encoding its reader expects (.ps1 UTF-8 with a BOM, as
 * PowerShell 5.1 reads a BOM-less script in the ANSI code page; .cmd ASCII only, as cmd.exe reads the OEM code
 * page; .reg UTF-16LE with a BOM, as regedit's "Windows Registry Editor Version 5.00" format is), no control
 * characters but tab, CR and LF, and a .ps1's single-quoted literals intact once decoded as PowerShell 5.1 does.
 */
export function checkFiles(folder) {
  if (!existsSync(folder)) return undefined;
  const problems = [];
  for (const name of readdirSync(folder)) {
    const bytes = readFileSync(join(folder, name));
    try {
      checkFile(name, bytes);
    } catch (e) {
      problems.push(`${name}: ${e.message}`);
    }
  }
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * Windows-1252 (the ANSI code page of Western Windows), spelled out: Node's TextDecoder('windows-1252') decodes
 * 0x80–0x9F as Latin-1 (C1 controls) in some versions. Bytes cp1252 leaves undefined stay as their C1 code.
 */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
export const cp1252 = (bytes) => Array.from(bytes, (b) => (b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b))).join('');

export function checkFile(name, bytes) {
  const bom8 = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const bom16 = bytes[0] === 0xff && bytes[1] === 0xfe;
  if (name.endsWith('.ps1')) {
    // Decoded as PowerShell 5.1 does: UTF-8 after a BOM, else the ANSI code page (cp1252 on Western systems).
    const problems = [];
    if (!bom8) problems.push('no UTF-8 BOM (PowerShell 5.1 reads it in the ANSI code page)');
    for (const test of [() => psLiteralsIntact(bom8 ? new TextDecoder('utf-8').decode(bytes.subarray(3)) : cp1252(bytes)), () => noControl(bytes.toString('utf8'), name)]) {
      try {
        test();
      } catch (e) {
        problems.push(e.message);
      }
    }
    if (problems.length) throw new Error(problems.join('; '));
  } else if (name.endsWith('.cmd') || name.endsWith('.bat')) {
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at >= 0) throw new Error(`non-ASCII byte 0x${bytes[at].toString(16)} at ${at} in a .cmd (cmd.exe reads the OEM code page)`);
    noControl(bytes.toString('latin1'), name);
  } else if (name.endsWith('.reg')) {
    if (!bom16) throw new Error('a .reg without a UTF-16LE BOM');
    noControl(new TextDecoder('utf-16le').decode(bytes.subarray(2)), name);
  } else {
    noControl(bom16 ? new TextDecoder('utf-16le').decode(bytes.subarray(2)) : bytes.toString('utf8'), name);
  }
}

export async function check(out, stdout) {
  if (out === 'json' || out === 'sarif') JSON.parse(stdout);
  if (out === 'csv') {
    const { parse } = await import('csv-parse/sync');
    for (const row of parse(stdout, { relax_column_count: true })) for (const cell of row) if (/^[=+\-@\t\r]/.test(cell)) throw new Error(`CSV cell starts a formula: ${cell.slice(0, 40)}`);
  }
  if (out === 'markdown') {
    // Fenced code blocks and code spans are literal in CommonMark (GitHub and GitLab show them as text): only the
    // rest may hold no HTML. A backslash-escaped backtick opens no span.
    const prose = withoutFences(stdout).replace(/(?<!\\)`[^`\n]*`/g, '');
    if (/<(?!br>|\/?details>|\/?summary>)[a-z!/]/i.test(prose)) throw new Error('raw HTML in Markdown');
    if (/\]\(\s*javascript:/i.test(stdout)) throw new Error('javascript: link in Markdown');
  }
  if (out === 'table' && /\u001b/.test(stdout)) throw new Error('escape sequence on the terminal');
  if (out === 'sysmon' && stdout.trim().startsWith('<Sysmon')) {
    const { parseXml } = await import(join(ROOT, 'dist', 'environment', 'xml.js'));
    parseXml(stdout);
  }
  if (['json', 'csv', 'markdown', 'table', 'sarif', 'html', 'sysmon'].includes(out)) noControl(stdout, `${out} output`);
}

/** Markdown with its fenced code blocks removed (a fence closes only on a line of at least as many backticks). */
function withoutFences(md) {
  const out = [];
  let fence = '';
  for (const line of md.split('\n')) {
    const m = /^\s*(`{3,})/.exec(line);
    if (!fence && m) fence = m[1];
    else if (fence && m && m[1].length >= fence.length && line.trim() === m[1]) fence = '';
    else if (!fence) out.push(line);
  }
  return out.join('\n');
}

export async function fuzz({ cases = 200, seed = 1, log = () => {} } = {}) {
  const r = rng(seed);
  const fx = fixtures();
  const base = mkdtempSync(join(tmpdir(), 'lsc-fuzz-'));
  const failures = [];
  let maxMs = 0;
  let maxMb = 0;
  try {
    for (let i = 0; i < cases; i++) {
      const c = makeCase(i, r, fx, base);
      const t0 = Date.now();
      const p = spawnSync(process.execPath, ['--import', PROBE, CLI, ...c.args], { encoding: 'utf8', timeout: LIMIT_MS, maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1', LOGSOURCE_CHECK_CACHE_DIR: join(base, 'cache') } });
      const ms = Date.now() - t0;
      const mb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(p.stderr ?? '')?.[1] ?? 0) / 1024;
      maxMs = Math.max(maxMs, ms);
      maxMb = Math.max(maxMb, mb);
      const fail = (why) => failures.push({ case: i, seed, args: c.args.map((a) => a.replace(base, '<tmp>')).join(' '), why });
      if (p.signal || ms >= LIMIT_MS) fail(`over ${LIMIT_MS} ms (${p.signal ?? ms})`);
      else if (mb > LIMIT_MB) fail(`${mb.toFixed(0)} MB RSS`);
      else if (![0, 1, 2].includes(p.status)) fail(`exit ${p.status}`);
      else if (/internal error|\n\s+at .*\(.*:\d+:\d+\)/.test(p.stderr)) fail(`internal error: ${p.stderr.slice(0, 200)}`);
      else if (c.expectStatus !== undefined && p.status !== c.expectStatus) fail(`exit ${p.status}, not ${c.expectStatus}: ${p.stderr.slice(0, 200)}`);
      else {
        if (p.status !== 2) {
          try {
            await check(c.out, p.stdout);
          } catch (e) {
            fail(`invalid ${c.out} output: ${e.message}`);
          }
        }
        const why = c.after?.();
        if (why) fail(`${c.out} files: ${why}`);
      }
      log(i, ms, mb);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return { cases, seed, failures, maxMs, maxMb };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const res = await fuzz({ cases: arg('--cases', 200), seed: arg('--seed', Date.now() % 100000), log: (i) => i % 50 === 49 && process.stderr.write(`${i + 1} cases\n`) });
  console.log(`fuzz: ${res.cases} cases, seed ${res.seed}: ${res.failures.length} failures; slowest case ${res.maxMs} ms, peak RSS ${res.maxMb.toFixed(0)} MB`);
  for (const f of res.failures.slice(0, 20)) console.log(`  case ${f.case}: ${f.why}\n    logsource-check ${f.args}`);
  process.exitCode = res.failures.length ? 1 : 0;
}
