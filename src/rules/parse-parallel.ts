/**
 * Parsing the rule files the cache lacks. The fast reader (src/rules/fastyaml.ts) takes nearly every rule,
 * in this thread: ≈ 0.15 ms a file in a cold process. A worker thread does not pay for itself there: on two
 * cores, splitting the five main folders between this thread and a worker took 0.65–0.70 s against
 * 0.54–0.60 s in one thread (the worker competes with V8's own compiler and collector threads, and starts
 * late). The files the fast reader gives up on go to the yaml package (≈ 0.7 ms a file): to worker threads
 * when there are at least WORKER_FROM of them — a repository of unusual YAML — else here too.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { codeFile } from '../paths.js';
import { Worker } from 'node:worker_threads';
import type { RuleFile } from './files.js';
import { parseRuleFile, parseRuleFileFast, type ParsedFile } from './parse.js';

// The worker is a module of the tsc build (dist/rules/), also when the main thread runs the bundle.
const WORKER = codeFile('rules', 'parse-worker.js');
/** Below this many files for the yaml package, workers cost more than they save. */
const WORKER_FROM = 400;

type Progress = (done: number, total: number) => void;

export async function parseFiles(files: RuleFile[], workers: boolean, onProgress?: Progress): Promise<ParsedFile[]> {
  let done = 0;
  const progress = (n: number) => onProgress?.((done += n), files.length);
  const parsed = files.map((f, i) => {
    if (i % 100 === 99) progress(100);
    return parseRuleFileFast(f.path, f.text);
  });
  const slowIdx = parsed.flatMap((p, i) => (p ? [] : [i]));
  if (!slowIdx.length) return parsed as ParsedFile[];
  done -= slowIdx.length; // counted again as the package reads them
  const slow = slowIdx.map((i) => files[i] as RuleFile);
  const n = workers && slow.length >= WORKER_FROM && existsSync(WORKER) ? Math.min(availableParallelism(), 4) : 1;
  const chunk = Math.ceil(slow.length / n);
  const parts = await Promise.all(
    Array.from({ length: n }, (_, w) => {
      const slice = slow.slice(w * chunk, (w + 1) * chunk);
      // A worker that fails has its files read here.
      return n > 1 ? inWorker(slice, progress).catch(() => inThread(slice, progress)) : Promise.resolve(inThread(slice, progress));
    }),
  );
  parts.flat().forEach((p, j) => (parsed[slowIdx[j] as number] = p));
  return parsed as ParsedFile[];
}

function inThread(files: RuleFile[], progress: (n: number) => void): ParsedFile[] {
  return files.map((f, i) => {
    if (i % 100 === 99) progress(100);
    return parseRuleFile(f.path, f.text);
  });
}

function inWorker(files: RuleFile[], progress: (n: number) => void): Promise<ParsedFile[]> {
  return new Promise<ParsedFile[]>((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: files.map((f) => ({ path: f.path, text: f.text })) });
    worker.on('message', (msg: { progress?: number; result?: ParsedFile[] }) => {
      if (msg.progress) progress(msg.progress);
      if (msg.result) resolve(msg.result);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => code !== 0 && reject(new Error(`parse worker exited with code ${code}`)));
  });
}
