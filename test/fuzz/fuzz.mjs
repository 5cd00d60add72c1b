#!/usr/bin/env node
// npm run fuzz [-- --cases N --seed S]: hostile and malformed inputs through the built CLI, each case in its own
// process, bounded in time (10 s) and memory (512 MB RSS). A case fails on a crash (exit code other than 0, 1, 2),
// an internal error or stack trace, a run over the bounds, or an invalid output (JSON that does not parse, a CSV
// cell that starts a formula, raw HTML or a javascript: link in Markdown, an escape sequence on the terminal,
// generated Sysmon XML that a strict parser refuses). The classes: mutated rules, host inputs and collector
// configs and observed-count exports from the fixtures, hostile text in titles and values, special files, zips.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

function fixtures() {
  const read = (dir, re) => readdirSync(join(ROOT, dir)).filter((f) => re.test(f)).map((f) => ({ name: f, text: readFileSync(join(ROOT, dir, f), 'latin1') }));
  return {
    rules: [...read('examples/rules/windows', /\.ya?ml$/), ...read('test/fixtures/wild', /\.ya?ml$/)],
    gpresult: read('test/fixtures/environment', /^gpresult-utf8.*\.xml$/),
    auditpol: read('test/fixtures/environment', /\.csv$/),
    sysmon: read('test/fixtures/sysmon', /\.xml$/),
    collector: read('test/fixtures/collectors', /\.(xml|conf|yml)$/),
    observed: read('test/fixtures/observed', /\.(csv|json)$/),
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
  const kind = Math.floor(r() * 8);
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
    return { args: ['fix', join(dir, 'rules'), '--gpresult', join(dir, 'host.xml'), '--out', join(dir, 'out')], out: 'fix' };
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
      else if (p.status !== 2) {
        try {
          await check(c.out, p.stdout);
        } catch (e) {
          fail(`invalid ${c.out} output: ${e.message}`);
        }
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
