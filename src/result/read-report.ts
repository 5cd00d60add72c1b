/**
 * Reads a JSON report written by `check --format json` for `diff` and `check --previous`. The file is input like
 * any other (it may come from another machine or be edited): regular file, size limit, schemaVersion 2, and the
 * fields diff reads checked for their type. An unusable report is one ReportError naming the file and the field.
 */
import { LIMITS, readRegular } from '../limits.js';
import { decodeText } from '../io/decode.js';
import type { CheckResult } from './result.js';

export class ReportError extends Error {}

const VERDICTS = new Set(['ready', 'partial', 'blocked', 'unknown', 'not-applicable', 'out-of-scope']);

export function readReport(path: string): CheckResult {
  let text: string;
  try {
    text = decodeText(readRegular(path, LIMITS.reportBytes));
  } catch (e) {
    throw new ReportError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${path}: not JSON (${(e as Error).message.split('\n')[0]}); diff reads reports written by \`check --format json\``);
  }
  const problem = validate(doc);
  if (problem) throw new ReportError(`${path}: ${problem}`);
  return doc as CheckResult;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The first problem with what diff reads, or undefined. */
function validate(doc: unknown): string | undefined {
  if (!isObj(doc)) return 'not a logsource-check JSON report (the top level is not an object)';
  if (doc['schemaVersion'] !== 2) {
    return doc['schemaVersion'] === undefined
      ? 'not a logsource-check JSON report (no schemaVersion)'
      : `schemaVersion ${JSON.stringify(doc['schemaVersion'])} is not 2 (re-run that check with this version)`;
  }
  const tool = doc['tool'];
  if (!isObj(tool) || typeof tool['version'] !== 'string') return 'tool.version is not a string';
  if (!Array.isArray(doc['rules'])) return 'rules is not a list';
  for (const [i, r] of (doc['rules'] as unknown[]).entries()) {
    const w = `rules[${i}]`;
    if (!isObj(r)) return `${w} is not an object`;
    if (typeof r['title'] !== 'string') return `${w}.title is not a string`;
    if (typeof r['path'] !== 'string') return `${w}.path is not a string`;
    if (r['id'] !== undefined && typeof r['id'] !== 'string') return `${w}.id is not a string`;
    if (r['verdict'] !== undefined && !VERDICTS.has(r['verdict'] as string)) return `${w}.verdict ${JSON.stringify(r['verdict'])} is not a verdict`;
    if (r['missing'] !== undefined && !isStrings(r['missing'])) return `${w}.missing is not a list of strings`;
    if (r['why'] !== undefined && typeof r['why'] !== 'string') return `${w}.why is not a string`;
  }
  if (!Array.isArray(doc['requirements'])) return 'requirements is not a list';
  for (const [i, q] of (doc['requirements'] as unknown[]).entries()) {
    if (!isObj(q) || typeof q['id'] !== 'string' || typeof q['name'] !== 'string') return `requirements[${i}] lacks its id or name`;
    if (q['state'] !== undefined && typeof q['state'] !== 'string') return `requirements[${i}].state is not a string`;
    if (q['stateReason'] !== undefined && typeof q['stateReason'] !== 'string') return `requirements[${i}].stateReason is not a string`;
  }
  const readiness = doc['readiness'];
  if (readiness === undefined) return undefined;
  if (!isObj(readiness) || !Array.isArray(readiness['hosts'])) return 'readiness.hosts is not a list';
  const groups = readiness['verdictGroups'];
  if (groups !== undefined) {
    if (!Array.isArray(groups)) return 'readiness.verdictGroups is not a list';
    const rules = (doc['rules'] as unknown[]).length;
    for (const [i, g] of groups.entries()) {
      if (!isObj(g) || !Array.isArray(g['notReady'])) return `readiness.verdictGroups[${i}].notReady is not a list`;
      for (const [j, n] of (g['notReady'] as unknown[]).entries()) {
        const w = `readiness.verdictGroups[${i}].notReady[${j}]`;
        if (!isObj(n) || !Number.isInteger(n['rule']) || (n['rule'] as number) < 0 || (n['rule'] as number) >= rules)
          return `${w}.rule is not the index of a rule`;
        if (!VERDICTS.has(n['verdict'] as string)) return `${w}.verdict is not a verdict`;
        if (!isStrings(n['missing'])) return `${w}.missing is not a list of strings`;
      }
    }
  }
  const fleet = (readiness['hosts'] as unknown[]).length > 1;
  for (const [i, h] of (readiness['hosts'] as unknown[]).entries()) {
    const w = `readiness.hosts[${i}]`;
    if (fleet && groups !== undefined && isObj(h) && h['group'] === undefined) return `${w}.group is missing (the report has verdict groups)`;
    if (!isObj(h) || typeof h['name'] !== 'string') return `${w}.name is not a string`;
    if (!isStrings(h['files'])) return `${w}.files is not a list of strings`;
    if (!isObj(h['summary'])) return `${w}.summary is not an object`;
    const pct = h['summary']['readiness'];
    if (pct !== null && typeof pct !== 'number') return `${w}.summary.readiness is not a number`;
    if (
      h['group'] !== undefined &&
      (!Number.isInteger(h['group']) || !Array.isArray(groups) || (h['group'] as number) >= groups.length || (h['group'] as number) < 0)
    ) {
      return `${w}.group is not the index of a verdict group`;
    }
  }
  return undefined;
}
