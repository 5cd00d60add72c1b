#!/usr/bin/env node
// The EVTX reader over ../shared/corpus/evtx, repeated in one process: records/s and time of the first run
// (cold JIT, what a one-off CLI run sees) and the median of N, counts only and with field evidence (issue 24:
// per-field presence and Sysmon's hash algorithms; target ≥ 50,000 records/s). Needs the build (npm run build).
// Usage: node bench/evtx.mjs [--runs N] [--only counts|fields]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus', 'evtx');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const onlyArg = process.argv.indexOf('--only');
const ONLY = onlyArg > 0 ? process.argv[onlyArg + 1] : undefined;
const reader = join(root, 'dist', 'observe', 'evtx.js');

if (!existsSync(corpus)) {
  console.log(`bench/evtx: SKIPPED, ${corpus} is absent; nothing to measure`);
  process.exit(0);
}
if (!existsSync(reader)) {
  console.error('bench/evtx: dist/observe/evtx.js missing; run npm run build first');
  process.exit(2);
}
const { readEvtxFile } = await import(pathToFileURL(reader).href);

const files = [];
const walk = (d) => {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.evtx')) files.push(p);
  }
};
walk(corpus);
const bytes = files.reduce((a, f) => a + statSync(f).size, 0);

/** One pass over every file (read from disk and parsed): wall ms, CPU ms (user + system), records. */
function once(fields) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let records = 0;
  for (const f of files) {
    const r = readEvtxFile(f, undefined, { fields });
    if (r.error) throw new Error(`${f}: ${r.error}`);
    records += r.records;
  }
  const cpu = process.cpuUsage(c0);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: (cpu.user + cpu.system) / 1000, records };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Field evidence first: its first run also pays for loading data/evidence-fields.yaml (the yaml package).
for (const [mode, fields] of [['fields', true], ['counts', false]]) {
  if (ONLY && ONLY !== mode) continue;
  const samples = Array.from({ length: RUNS }, () => once(fields));
  const { records } = samples[0];
  // CPU time beside wall time: on a busy machine the wall clock counts other processes' turns too
  const line = (label, ms, cpu) => `  ${label.padEnd(10)} ${ms.toFixed(1).padStart(7)} ms ${Math.round((records / ms) * 1000).toLocaleString('en-US').padStart(9)} records/s   cpu ${cpu.toFixed(1).padStart(7)} ms ${Math.round((records / cpu) * 1000).toLocaleString('en-US').padStart(9)} records/s`;
  const what = fields ? 'EVTX field evidence (counts, bytes, per-field presence, hash algorithms)' : 'EVTX reader, counts only';
  console.log(`${what}: ${files.length} files, ${(bytes / 1048576).toFixed(1)} MB, ${records.toLocaleString('en-US')} records`);
  console.log(line('first run', samples[0].ms, samples[0].cpu));
  const med = median(samples.map((s) => s.ms));
  // the verdict on CPU time: on a shared machine the wall clock also counts other processes' turns
  const cpuMed = median(samples.map((s) => s.cpu));
  const target = fields ? `  [${(records / cpuMed) * 1000 >= 50_000 ? 'ok' : 'OVER'} ≥50,000 records/s of CPU time]` : '';
  console.log(`${line('median', med, median(samples.map((s) => s.cpu)))}   (${RUNS} runs)${target}`);
}
