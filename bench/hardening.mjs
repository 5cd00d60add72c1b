#!/usr/bin/env node
// The hostile-input reproducers of issue 29 and the safety commands of issue 21, as bench scenarios: each input
// is generated in a temporary folder, the CLI runs N times, and the line gives the median wall time, peak RSS
// and exit code against the issue's targets. Run by bench/run.mjs (or alone: node bench/hardening.mjs [--runs N]).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg('--runs') ?? 3);
const ONLY = arg('--only') ? new RegExp(arg('--only'), 'i') : undefined;
const dir = mkdtempSync(join(tmpdir(), 'lsc-bench-hardening-'));
const rules = join(root, 'examples', 'rules');
const snapshot = join(root, 'test', 'fixtures', 'snapshot');

/** One CLI run: wall ms, peak RSS (MB, from the probe) and exit code; any exit code is a result here. */
function run(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', join(root, 'bench', 'rss-probe.mjs'), join(root, 'dist', 'logsource-check.mjs'), ...args], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const kb = Number(/BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? '')?.[1] ?? 0);
  const firstError = (r.stderr ?? '').split('\n').find((l) => l && !l.startsWith('BENCH_'));
  return { ms, mb: kb / 1024, status: r.status ?? -1, firstError };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function scenario(name, make, { ms, mb } = {}) {
  if (ONLY && !ONLY.test(name)) return;
  const args = make();
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(run(args));
  const t = median(samples.map((s) => s.ms));
  const rss = Math.max(...samples.map((s) => s.mb));
  const codes = [...new Set(samples.map((s) => s.status))].join('/');
  const verdict = ms || mb ? `  [${(!ms || t <= ms) && (!mb || rss <= mb) ? 'ok' : 'OVER'}${ms ? ` ≤${ms} ms` : ''}${mb ? ` ≤${mb} MB` : ''}]` : '';
  const err = samples[0]?.firstError ? `  stderr: ${samples[0].firstError.slice(0, 110)}` : '';
  console.log(`${name.padEnd(66)} median ${t.toFixed(0).padStart(6)} ms  peak ${rss.toFixed(0).padStart(4)} MB  exit ${codes}${verdict}${err}`);
}

/** A host snapshot folder: DC01's files with one file replaced by generated text. */
function host(name, file, text) {
  const d = join(dir, name);
  cpSync(join(snapshot, 'DC01'), d, { recursive: true });
  writeFileSync(join(d, file), text);
  return d;
}

const pipeline = (body) => {
  const p = join(dir, `pipeline-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(p, `name: bench\npriority: 20\ntransformations:\n${body}`);
  return p;
};
const logsourceCondition = (category) => `    rule_conditions:\n      - type: logsource\n        product: windows\n        category: ${category}\n`;

console.log(`hardening reproducers (issue 29) and safety commands (issue 21) — ${RUNS} runs each`);
scenario('--pipeline: one add_condition with 20,000 EventIDs', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => i + 1).join(', ');
  return [rules, '--pipeline', pipeline(`  - id: big\n    type: add_condition\n    conditions:\n      Channel: Contoso/Operational\n      EventID: [${ids}]\n${logsourceCondition('contoso_big')}`)];
}, { ms: 2000, mb: 300 });
scenario('--pipeline: 100,000 field conditions', () => {
  const conds = Array.from({ length: 100_000 }, (_, i) => `      Field${i}: value${i}\n`).join('');
  return [rules, '--pipeline', pipeline(`  - id: wide\n    type: add_condition\n    conditions:\n      Channel: Contoso/Operational\n${conds}${logsourceCondition('contoso_wide')}`)];
}, { ms: 2000, mb: 300 });
scenario('--pipeline: 60,000 transformations', () => {
  const t = Array.from({ length: 60_000 }, (_, i) => `  - id: t${i}\n    type: add_condition\n    conditions:\n      Channel: Contoso/Ch${i}\n${logsourceCondition(`contoso_${i}`)}`).join('');
  return [rules, '--pipeline', pipeline(t)];
}, { mb: 512 });
scenario('--mapping: 50,000 log-source entries', () => {
  const p = join(dir, 'mapping.yaml');
  const e = Array.from({ length: 50_000 }, (_, i) => `  - product: windows\n    category: contoso_${i}\n    title: Contoso ${i}\n    sources:\n      - name: Contoso ${i}\n        producer: channel\n        channel: Contoso/Ch${i}\n        events: [${i + 1}]\n    source: bench\n`).join('');
  writeFileSync(p, `logsources:\n${e}`);
  return [rules, '--mapping', p];
}, { mb: 512 });
scenario('check -v: a 40,000-character channel name (from a pipeline)', () => [rules, '-v', '--pipeline', pipeline(`  - id: long\n    type: add_condition\n    conditions:\n      Channel: C${'x'.repeat(40_000)}\n${logsourceCondition('process_creation')}`)], { ms: 2000 });
scenario('--host: policies.reg with a 200,000-line hex continuation', () => {
  const lines = ['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Contoso]', `"Blob"=hex:00,\\`, ...Array.from({ length: 200_000 }, () => '  00,01,02,\\'), '  ff', ''];
  return [rules, '--host', host('reg-continuation', 'policies.reg', lines.join('\r\n'))];
}, { ms: 2000, mb: 512 });
scenario('--host: policies.reg with 800,000 keys', () => {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (let i = 0; i < 800_000; i++) lines.push(`[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Contoso\\K${i}]`, `"V"=dword:00000001`, '');
  return [rules, '--host', host('reg-keys', 'policies.reg', lines.join('\r\n'))];
}, { mb: 512 });
scenario('--host: wevtutil-gl.txt of 2,000,000 lines', () => [rules, '--host', host('wevtutil-lines', 'wevtutil-gl.txt', 'enabled: true\n'.repeat(2_000_000))], { mb: 512 });
scenario('--host: wevtutil-gl.txt with 2,500,000 channels', () => {
  const parts = [];
  for (let i = 0; i < 2_500_000; i++) parts.push(`==== wevtutil gl "C${i}"\nname: C${i}\nenabled: true\n`);
  return [rules, '--host', host('wevtutil-channels', 'wevtutil-gl.txt', parts.join(''))];
}, { mb: 512 });
scenario('--host: auditpol-resourcesacl.txt of 3,000,000 lines', () => {
  const entry = 'Entry: 1\nResource Type: Key\nUser: Everyone\nFlags: Success\nCondition:\nAccesses:\n\tKEY_SET_VALUE\n\tDELETE\n\n';
  return [rules, '--host', host('resourcesacl', 'auditpol-resourcesacl.txt', `==== auditpol /resourceSACL /type:Key /view\n${entry.repeat(333_334)}`)];
}, { mb: 512 });
scenario('--observed: a counts CSV of 900,000 rows', () => {
  const p = join(dir, 'counts.csv');
  const rows = ['"host","source","EventCode","count"'];
  for (let i = 0; i < 900_000; i++) rows.push(`"ws-${i % 5000}.corp.contoso.com","WinEventLog:Security","${4600 + (i % 180)}","${i % 977}"`);
  writeFileSync(p, rows.join('\n'));
  return [rules, '--observed', p];
}, { mb: 512 });

const sigma = join(corpus, 'sigmahq', 'rules');
if (existsSync(sigma)) {
  const out = join(dir, 'out');
  mkdirSync(out, { recursive: true });
  scenario('sysmon-config rules/ --mode minimal', () => ['sysmon-config', sigma, '--mode', 'minimal', '-o', join(out, 'min.xml')]);
  scenario('sysmon-config rules/ --mode targeted', () => ['sysmon-config', sigma, '--mode', 'targeted', '-o', join(out, 'tgt.xml')]);
  const swift = join(corpus, 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml');
  scenario('sysmon-lint: SwiftOnSecurity config', () => ['sysmon-lint', swift]);
  // The worst a pipeline may do within LIMITS.mapping.eventIdsPerLogSource: every process_creation rule × 50 IDs.
  scenario('rules/ --pipeline: process_creation on 50 EventIDs (the limit)', () => {
    const ids = Array.from({ length: 50 }, (_, i) => i + 1).join(', ');
    return [sigma, '--pipeline', pipeline(`  - id: fifty\n    type: add_condition\n    conditions:\n      Channel: Contoso/Operational\n      EventID: [${ids}]\n${logsourceCondition('process_creation')}`), '-f', 'json', '-o', join(out, 'fifty.json')];
  }, { mb: 300 });
  scenario('fix rules/ --host DC01 (default volume budget)', () => ['fix', sigma, '--host', join(snapshot, 'DC01'), '--out', join(out, 'fix-dc')]);
} else {
  console.log(`hardening: ${sigma} is absent; the SigmaHQ scenarios are skipped`);
}
rmSync(dir, { recursive: true, force: true });
