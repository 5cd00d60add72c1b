#!/usr/bin/env node
// npm run bench: the CLI over the shared corpus, repeated; prints median wall time and peak RSS.
// Usage: npm run bench [-- --runs N]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus', 'sigmahq');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

if (!existsSync(corpus)) {
  console.log(`bench: ${corpus} is absent; nothing to measure`);
  process.exit(0);
}
if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('bench: dist/cli.js missing; run npm install (or npm run build) first');
  process.exit(2);
}

const main5 = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'].map((d) => join(corpus, d));
const all = [...main5, join(corpus, 'deprecated'), join(corpus, 'unsupported')];

/** One CLI run; returns wall ms and peak RSS MiB. */
function once(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench', 'rss-probe.mjs'), join(root, 'dist', 'cli.js'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`CLI exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? 0);
  return { ms, rssMb: kb / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function scenario(name, args, { cold }) {
  const cache = mkdtempSync(join(tmpdir(), 'lsc-bench-cache-'));
  const env = { LOGSOURCE_CHECK_CACHE_DIR: cache };
  const fullArgs = [...args, '--format', 'json', '--output', join(cache, 'report.json')];
  if (!cold) once(fullArgs, env); // fill the cache once
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(once(cold ? [...fullArgs, '--no-cache'] : fullArgs, env));
  rmSync(cache, { recursive: true, force: true });
  const ms = median(samples.map((s) => s.ms));
  const rss = Math.max(...samples.map((s) => s.rssMb));
  console.log(`${name.padEnd(48)} median ${ms.toFixed(0).padStart(6)} ms   min ${Math.min(...samples.map((s) => s.ms)).toFixed(0).padStart(6)} ms   peak RSS ${rss.toFixed(0).padStart(4)} MB   (${RUNS} runs)`);
}

/** 1,000 gpresult files (the UTF-16 and UTF-8 fixtures with their host names changed): a fleet. */
function makeFleet() {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-bench-fleet-'));
  const fx = join(root, 'test', 'fixtures', 'environment');
  const utf16 = readFileSync(join(fx, 'gpresult-utf16le-multi-gpo.xml')).subarray(2).toString('utf16le');
  const utf8 = readFileSync(join(fx, 'gpresult-utf8-legacy-only.xml'), 'utf8');
  for (let i = 0; i < 1000; i++) {
    const name = `BENCH-${String(i).padStart(4, '0')}`;
    const body = (i % 2 ? utf8.replace('WS-0388', name) : utf16.replace('WS-0142', name)).replace('<q3:SettingValue>1</q3:SettingValue>', i % 3 ? '<q3:SettingValue>1</q3:SettingValue>' : '<q3:SettingValue>3</q3:SettingValue>');
    writeFileSync(join(dir, `${name}.xml`), i % 2 ? body : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]));
  }
  return dir;
}

/** 1,000 host snapshots (the three fixture hosts with their names changed): a fleet read with --host. */
function makeSnapshots() {
  const dir = mkdtempSync(join(tmpdir(), 'lsc-bench-snap-'));
  const fx = join(root, 'test', 'fixtures', 'snapshot');
  const kinds = ['WS-0142', 'DC01', 'SRV-APP01'];
  for (let i = 0; i < 1000; i++) {
    const kind = kinds[i % 3];
    const name = `SNAP-${String(i).padStart(4, '0')}`;
    const out = join(dir, name);
    cpSync(join(fx, kind), out, { recursive: true });
    const info = join(out, 'systeminfo.csv');
    writeFileSync(info, readFileSync(info, 'latin1').replace(kind, name), 'latin1');
  }
  return dir;
}

console.log(`logsource-check bench — node ${process.version}, ${RUNS} runs each`);
scenario('5 main rule folders, warm parse cache', main5, { cold: false });
scenario('5 main rule folders, no cache (2 workers)', main5, { cold: true });
scenario('whole corpus (7 folders, all statuses), warm', [...all, '--all-statuses'], { cold: false });
scenario('whole corpus (7 folders, all statuses), no cache', [...all, '--all-statuses'], { cold: true });
const fleet = makeFleet();
scenario('rules/ × 1 gpresult (UTF-16), warm', [join(corpus, 'rules'), '--gpresult', join(root, 'test', 'fixtures', 'environment', 'gpresult-utf16le-multi-gpo.xml')], { cold: false });
scenario('rules/ × 1,000 gpresult files (fleet), warm', [join(corpus, 'rules'), '--gpresult', fleet], { cold: false });
const swift = join(corpus, '..', 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml');
scenario('5 main folders + Sysmon simulation, warm', [...main5, '--sysmon', swift], { cold: false });
scenario('5 main folders + Sysmon simulation, no cache', [...main5, '--sysmon', swift], { cold: true });
scenario('5 main folders + 8 WEF subscriptions + gpresult, warm', [...main5, '--collector', join(corpus, '..', 'wef'), '--gpresult', join(root, 'examples', 'hosts', 'ws-0142-gpresult.xml')], { cold: false });
scenario('rules/ × legacy-only DC, --assume-defaults, warm', [join(corpus, 'rules'), '--gpresult', join(root, 'test', 'fixtures', 'environment', 'gpresult-dc-legacy-only.xml'), '--assume-defaults'], { cold: false });
const snaps = makeSnapshots();
scenario('rules/ × 1 host snapshot (DC01 + Sysmon), warm', [join(corpus, 'rules'), '--host', join(root, 'test', 'fixtures', 'snapshot', 'DC01')], { cold: false });
scenario('rules/ × 1,000 host snapshots (fleet), warm', [join(corpus, 'rules'), '--host', snaps], { cold: false });
rmSync(snaps, { recursive: true, force: true });
rmSync(fleet, { recursive: true, force: true });
