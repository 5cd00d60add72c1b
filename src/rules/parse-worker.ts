/** Worker-thread entry: parses the rule files it is given and posts the results back. */
import { parentPort, workerData } from 'node:worker_threads';
import type { RuleFile } from './files.js';
import { parseRuleFile, type ParsedFile } from './parse.js';

const files = workerData as RuleFile[];
const result: ParsedFile[] = [];
for (let i = 0; i < files.length; i++) {
  const f = files[i] as RuleFile;
  result.push(parseRuleFile(f.path, f.text));
  if ((i + 1) % 100 === 0) parentPort?.postMessage({ progress: 100 });
}
parentPort?.postMessage({ progress: files.length % 100, result });
