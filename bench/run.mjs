#!/usr/bin/env node
// npm run bench: the CLI over the shared corpus, repeated; prints median / min / max wall time and peak RSS
// per scenario, against the targets of docs/performance.md.
// Usage: npm run bench [-- --runs N] [-- --only REGEX] [-- --list]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus', 'sigmahq');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 7);
const ONLY = arg('--only') ? new RegExp(arg('--only'), 'i') : undefined;
const LIST = process.argv.includes('--list');

if (!existsSync(corpus)) {
  console.log(`bench: ${corpus} is absent; nothing to measure`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'logsource-check.mjs'))) {
  console.error('bench: dist/logsource-check.mjs missing; run npm install (or npm run build) first');
  process.exit(2);
}

const main5 = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'].map((d) => join(corpus, d));
const all = [...main5, join(corpus, 'deprecated'), join(corpus, 'unsupported')];
const fx = join(root, 'test', 'fixtures', 'environment');
const temps = [];
const temp = (prefix) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};

/** One run of a command; returns wall ms and peak RSS MiB (the probe reports it for node runs). */
function spawnTimed(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${(r.stderr ?? '').slice(0, 500)}`);
  const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? 0);
  const cpu = /BENCH_CPU_MS=(\d+)/.exec(r.stderr)?.[1];
  return { ms, rssMb: kb / 1024, cpuMs: cpu === undefined ? undefined : Number(cpu), stdout: r.stdout };
}

const cli = (args, env) => spawnTimed(process.execPath, ['--import', join(root, 'bench', 'rss-probe.mjs'), join(root, 'dist', 'logsource-check.mjs'), ...args], env);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Prints one line: median, min, max, peak RSS and the verdict against the targets (ms, MB) when given. */
function report(name, samples, target = {}) {
  const ms = samples.map((s) => s.ms);
  const med = median(ms);
  const rss = Math.max(...samples.map((s) => s.rssMb));
  const checks = [];
  if (target.ms) checks.push(`${med <= target.ms ? 'ok' : 'OVER'} ≤${target.ms} ms`);
  if (target.mb) checks.push(`${rss <= target.mb ? 'ok' : 'OVER'} ≤${target.mb} MB`);
  const f = (x) => x.toFixed(0).padStart(6);
  const cpu = samples.every((s) => s.cpuMs !== undefined) ? `  cpu ${f(median(samples.map((s) => s.cpuMs)))} ms` : '';
  console.log(`${name.padEnd(56)} median ${f(med)} ms  min ${f(Math.min(...ms))}  max ${f(Math.max(...ms))}${cpu}  peak RSS ${rss.toFixed(0).padStart(4)} MB  (${samples.length} runs)${checks.length ? `  [${checks.join(', ')}]` : ''}`);
  return { med, rss };
}

/**
 * A CLI scenario. warm: the cache is filled by one run first (of `fill`, default the same arguments; a fleet
 * scenario fills it from the rules alone); cold: every run with --no-cache. `cache` gives a cache directory
 * prepared by the caller (one holding other rule sets' entries).
 */
function scenario(name, args, { cold = false, runs = RUNS, target, cache, fill = args } = {}) {
  if (!selected(name)) return undefined;
  const dir = cache ?? temp('lsc-bench-cache-');
  const env = { LOGSOURCE_CHECK_CACHE_DIR: dir };
  const out = ['--format', 'json', '--output', join(tmpdir(), `lsc-bench-report-${process.pid}.json`)];
  const fullArgs = [...args, ...out];
  if (!cold) cli([...fill, ...out], env); // fill the cache once
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(cli(cold ? [...fullArgs, '--no-cache'] : fullArgs, env));
  return report(name, samples, target);
}

const selected = (name) => {
  if (LIST) console.log(name);
  return !LIST && (!ONLY || ONLY.test(name));
};

/**
 * gpresult files for a fleet: the UTF-16 multi-GPO and the UTF-8 legacy-only fixtures with their host names
 * changed and, per host, some audit settings flipped so that the fleet has `states` distinct policy states.
 * `utf16Every`: every how many hosts is the (larger) UTF-16 file; the rest are UTF-8.
 */
function makeFleet(n, { states = 3, utf16Every = 2 } = {}) {
  const dir = temp('lsc-bench-fleet-');
  const utf16 = readFileSync(join(fx, 'gpresult-utf16le-multi-gpo.xml')).subarray(2).toString('utf16le');
  const utf8 = readFileSync(join(fx, 'gpresult-utf8-legacy-only.xml'), 'utf8');
  // Settings a host may have flipped: each bit of the host's state number flips one of them.
  const flips = [
    ['<q3:SettingValue>1</q3:SettingValue>', '<q3:SettingValue>3</q3:SettingValue>'],
    ['<q2:FailureAttempts>false</q2:FailureAttempts>', '<q2:FailureAttempts>true</q2:FailureAttempts>'],
    ['<q2:SuccessAttempts>true</q2:SuccessAttempts>', '<q2:SuccessAttempts>false</q2:SuccessAttempts>'],
  ];
  const variant = (body, state) => {
    let out = body;
    for (let bit = 0, s = state; s > 0; bit++, s >>= 1) {
      if (!(s & 1)) continue;
      const [from, to] = flips[bit % flips.length];
      // The (bit / flips.length)-th occurrence of the setting is flipped: more bits, more distinct settings.
      let at = -1;
      for (let k = 0; k <= Math.floor(bit / flips.length); k++) at = out.indexOf(from, at + 1);
      if (at >= 0) out = out.slice(0, at) + to + out.slice(at + from.length);
    }
    return out;
  };
  // Each host read its policy at its own time: every timestamp differs from host to host, as in a real
  // fleet (the blocks that repeat word for word are the GPO data, not the processing times).
  const stamped = (body, i) => body.replace(/T\d\d:\d\d:\d\d/g, `T${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`);
  for (let i = 0; i < n; i++) {
    const name = `BENCH-${String(i).padStart(6, '0')}`;
    const wide = i % utf16Every === 0;
    const body = stamped(variant(wide ? utf16.replace('WS-0142', name) : utf8.replace('WS-0388', name), i % states), i);
    writeFileSync(join(dir, `${name}.xml`), wide ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]) : body);
  }
  return dir;
}

/** 1,000 host snapshots (the three fixture hosts with their names changed): a fleet read with --host. */
function makeSnapshots() {
  const dir = temp('lsc-bench-snap-');
  const sfx = join(root, 'test', 'fixtures', 'snapshot');
  const kinds = ['WS-0142', 'DC01', 'SRV-APP01'];
  for (let i = 0; i < 1000; i++) {
    const kind = kinds[i % 3];
    const name = `SNAP-${String(i).padStart(4, '0')}`;
    const out = join(dir, name);
    cpSync(join(sfx, kind), out, { recursive: true });
    const info = join(out, 'systeminfo.csv');
    writeFileSync(info, readFileSync(info, 'latin1').replace(kind, name), 'latin1');
  }
  return dir;
}

/**
 * Copies of rules/, each file changed by a comment line (so its content, and its cache key, is its own):
 * `copies` rule sets of ~3,100 files under one folder. The caller removes the folder.
 */
function ruleCopies(copies, prefix) {
  const sets = temp(prefix);
  const files = [];
  const walk = (d, rel = '') => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
      else if (e.name.endsWith('.yml')) files.push(join(rel, e.name));
    }
  };
  walk(join(corpus, 'rules'));
  const roots = [];
  for (let c = 0; c < copies; c++) {
    const r = join(sets, `set-${c}`);
    roots.push(r);
    for (const f of files) {
      mkdirSync(dirname(join(r, f)), { recursive: true });
      writeFileSync(join(r, f), `${readFileSync(join(corpus, 'rules', f), 'utf8')}\n# other rule set ${c}\n`);
    }
  }
  return { sets, roots, files: files.length * copies };
}

/** A cache that already holds ~30,000 entries of other rule sets: ten copies of rules/, scanned once into it. */
function cacheWithOtherRuleSets() {
  const dir = temp('lsc-bench-cache-30k-');
  const { sets, roots } = ruleCopies(10, 'lsc-bench-other-sets-');
  for (const r of roots) cli([r, '--format', 'json', '--output', join(sets, 'report.json')], { LOGSOURCE_CHECK_CACHE_DIR: dir });
  rmSync(sets, { recursive: true, force: true });
  return dir;
}

/** The rules/ warm run against the Python checker (bench/python-checker.py), run alternately. */
function versusPython(name, target) {
  if (!selected(name)) return;
  const py = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
  if (py.status !== 0) {
    console.log(`${name.padEnd(56)} SKIPPED: python3 with PyYAML is not available (${py.error ? 'no python3' : 'no PyYAML'})`);
    return;
  }
  const runs = Math.min(RUNS, 3); // the Python checker takes tens of seconds per run
  const dir = temp('lsc-bench-cache-');
  const env = { LOGSOURCE_CHECK_CACHE_DIR: dir };
  const args = [join(corpus, 'rules'), '--format', 'json', '--output', join(dir, 'report.json')];
  cli(args, env);
  const node = [];
  const python = [];
  for (let i = 0; i < runs; i++) {
    node.push(cli(args, env));
    python.push(spawnTimed('python3', [join(root, 'bench', 'python-checker.py'), join(root, 'dist', 'catalog-snapshot.json'), join(corpus, 'rules')], {}));
  }
  const n = report(`${name}: logsource-check`, node);
  const p = report(`${name}: Python checker`, python);
  const ratio = p.med / n.med;
  const cpu = median(python.map((s) => s.cpuMs)) / median(node.map((s) => s.cpuMs));
  console.log(`${name.padEnd(56)} ratio ${ratio.toFixed(1)}× wall, ${cpu.toFixed(1)}× CPU time  [${ratio >= target ? 'ok' : 'UNDER'} ≥${target}×]`);
}

console.log(`logsource-check bench — node ${process.version}, ${RUNS} runs each`);
if (selected('start-up: --version')) {
  const s = [];
  for (let i = 0; i < RUNS; i++) s.push(cli(['--version'], {}));
  report('start-up: --version', s);
}
scenario('5 main rule folders, warm parse cache', main5, { target: { ms: 400, mb: 150 } });
if (selected('5 main rule folders, warm, cache holds 30,000 other entries')) {
  scenario('5 main rule folders, warm, cache holds 30,000 other entries', main5, { cache: cacheWithOtherRuleSets(), target: { ms: 400, mb: 150 } });
}
scenario('5 main rule folders, no cache', main5, { cold: true, target: { ms: 1200, mb: 250 } });
versusPython('rules/ warm vs the Python checker', 70);
scenario('whole corpus (7 folders, all statuses), warm', [...all, '--all-statuses']);
// Scale in rules: rules/ and ten copies of it as one rule set, 10× and 11× the rules, warm and cold.
if (selected('rules/ × 10 copies (31,410 files) as one rule set, warm') || selected('rules/ × 10 copies (31,410 files) as one rule set, no cache')) {
  const { sets } = ruleCopies(10, 'lsc-bench-rules-10x-');
  const one = scenario('rules/ × 10 copies: rules/ alone (3,141 files), warm', [join(corpus, 'rules')], { runs: Math.min(RUNS, 3) });
  const ten = scenario('rules/ × 10 copies (31,410 files) as one rule set, warm', [sets], { runs: Math.min(RUNS, 3) });
  scenario('rules/ × 10 copies (31,410 files) as one rule set, no cache', [sets], { cold: true, runs: Math.min(RUNS, 3) });
  if (one && ten) console.log(`${'cost per extra 1,000 rules, warm (3,141 → 31,410)'.padEnd(56)} ${((ten.med - one.med) / 28.269).toFixed(1)} ms and ${((ten.rss - one.rss) / 28.269).toFixed(1)} MB`);
  rmSync(sets, { recursive: true, force: true });
}
scenario('whole corpus (7 folders, all statuses), no cache', [...all, '--all-statuses'], { cold: true });
scenario('rules/ × 1 gpresult (UTF-16), warm', [join(corpus, 'rules'), '--gpresult', join(fx, 'gpresult-utf16le-multi-gpo.xml')]);
if (selected('rules/ × 10,000 gpresult files (fleet), warm')) {
  scenario('rules/ × 10,000 gpresult files (fleet), warm', [join(corpus, 'rules'), '--gpresult', makeFleet(10_000)], { runs: Math.min(RUNS, 3), target: { ms: 6000, mb: 300 }, fill: [join(corpus, 'rules')] });
}
const swift = join(corpus, '..', 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml');
scenario('5 main folders + Sysmon simulation, warm', [...main5, '--sysmon', swift]);
scenario('5 main folders + Sysmon simulation, no cache', [...main5, '--sysmon', swift], { cold: true });
scenario('5 main folders + 8 WEF subscriptions + gpresult, warm', [...main5, '--collector', join(corpus, '..', 'wef'), '--gpresult', join(root, 'examples', 'hosts', 'ws-0142-gpresult.xml')]);
scenario('rules/ × legacy-only DC, --assume-defaults, warm', [join(corpus, 'rules'), '--gpresult', join(fx, 'gpresult-dc-legacy-only.xml'), '--assume-defaults']);
scenario('rules/ × 1 host snapshot (DC01 + Sysmon), warm', [join(corpus, 'rules'), '--host', join(root, 'test', 'fixtures', 'snapshot', 'DC01')]);
if (selected('rules/ × 1,000 host snapshots (fleet), warm')) {
  scenario('rules/ × 1,000 host snapshots (fleet), warm', [join(corpus, 'rules'), '--host', makeSnapshots()], { fill: [join(corpus, 'rules')] });
}
if (selected('rules/ × 100,000 synthetic hosts, warm')) {
  // Mostly the small UTF-8 file (1 in 10 the UTF-16 one) to keep the generated fleet near 2 GB; 64 policy
  // states. One run each (the 100,000 take most of a minute; docs/performance.md).
  const mix = { states: 64, utf16Every: 10 };
  const rules = [join(corpus, 'rules')];
  const s10 = scenario('rules/ × 10,000 synthetic hosts (same mix), warm', [...rules, '--gpresult', makeFleet(10_000, mix)], { runs: 1, fill: rules });
  const s100 = scenario('rules/ × 100,000 synthetic hosts, warm', [...rules, '--gpresult', makeFleet(100_000, mix)], { runs: 1, target: { ms: 60_000, mb: 600 }, fill: rules });
  if (s10 && s100) console.log(`${'cost per extra host (10,000 → 100,000)'.padEnd(56)} ${((s100.med - s10.med) / 90_000).toFixed(3)} ms and ${(((s100.rss - s10.rss) * 1024) / 90_000).toFixed(2)} KB per host`);
}
// Evidence (issues 14, 24): the EVTX reader alone (records/s, bench/evtx.mjs: field evidence over the shared
// samples, then counts only), then rules/ joined with the samples.
const evtx = join(corpus, '..', 'evtx');
if (selected('EVTX reader and field evidence over the shared EVTX samples') && existsSync(evtx)) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'evtx.mjs'), '--runs', String(RUNS)], { encoding: 'utf8' });
  for (const line of r.stdout.trim().split("\n")) console.log(line);
}
scenario('rules/ --observed the 34 EVTX samples, warm', [join(corpus, 'rules'), '--observed', evtx]);
// Baselines (issue 13): every shipped baseline assessed as a host, side by side.
const baselines = spawnSync(process.execPath, [join(root, 'dist', 'logsource-check.mjs'), 'baseline', '--list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /^\S/.test(l));
scenario(`rules/ --baseline × ${baselines.length} (side by side), warm`, [join(corpus, 'rules'), ...baselines.flatMap((b) => ['--baseline', b])]);
// Hostile-input reproducers (issue 29) and the safety commands (issue 21): bench/hardening.mjs, 3 runs each.
if (selected('hardening reproducers')) {
  const r = spawnSync(process.execPath, [join(root, 'bench', 'hardening.mjs'), '--runs', String(Math.min(RUNS, 3))], { encoding: 'utf8' });
  for (const line of r.stdout.trim().split('\n')) console.log(line);
}
for (const d of temps) rmSync(d, { recursive: true, force: true });
