import { jsonSafe } from '../escape.js';
import type { CheckResult } from '../result/result.js';

/**
 * The JSON report is the result object itself (schemaVersion 2, documented in the README). Every piece goes
 * through jsonSafe (C1, DEL and bidi characters as \uXXXX): the text is JSON.stringify's followed by that escaping.
 */
export function renderJson(result: CheckResult): string {
  return [...renderJsonPieces(result)].join('');
}

/**
 * The same text in pieces, for a fleet whose report is hundreds of MB: byte for byte what
 * JSON.stringify(result, null, 2) + "\n" gives (test/unit/json-pieces.test.ts), with the rules and the
 * hosts written one at a time. A piece made by JSON.stringify is indented by its depth: JSON text holds
 * no raw line break outside its own layout, so indenting every line is exact.
 */
export function* renderJsonPieces(result: CheckResult): Generator<string> {
  // One JSON.stringify is the fastest way to make a report that fits in memory at ease.
  if ((result.readiness?.hosts.length ?? 0) <= PIECEMEAL_HOSTS) yield jsonSafe(JSON.stringify(result, null, 2));
  else for (const p of pieces(result, 0, STREAMED)) yield jsonSafe(p);
  yield '\n';
}

const PIECEMEAL_HOSTS = 1000;

/** Where the text is made piece by piece: the top level, the rule list, the readiness and its host list. */
type Plan = { [key: string]: Plan | true };
const STREAMED: Plan = { rules: true, readiness: { hosts: true, verdictGroups: true } };

/** For the test: the pieces however few the hosts. */
export function piecemeal(result: CheckResult): string {
  return [...pieces(result, 0, STREAMED), '\n'].map(jsonSafe).join('');
}

function* pieces(value: unknown, depth: number, plan: Plan | true): Generator<string> {
  const pad = '  '.repeat(depth + 1);
  if (Array.isArray(value) && plan === true) {
    if (!value.length) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) yield `${i ? ',' : ''}\n${pad}${one(value[i], depth + 1) ?? 'null'}`;
    yield `\n${'  '.repeat(depth)}]`;
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function' || plan === true) {
    yield one(value, depth) ?? 'null';
    return;
  }
  const entries = Object.keys(value).filter((k) => present((value as Record<string, unknown>)[k]));
  if (!entries.length) {
    yield '{}';
    return;
  }
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const k = entries[i] as string;
    yield `${i ? ',' : ''}\n${pad}${JSON.stringify(k)}: `;
    const sub = plan[k];
    if (sub) yield* pieces((value as Record<string, unknown>)[k], depth + 1, sub);
    else yield one((value as Record<string, unknown>)[k], depth + 1) as string;
  }
  yield `\n${'  '.repeat(depth)}}`;
}

/** JSON.stringify(v, null, 2) indented for `depth`; undefined where JSON.stringify leaves the value out. */
function one(v: unknown, depth: number): string | undefined {
  const text = JSON.stringify(v, null, 2) as string | undefined;
  return text === undefined || depth === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/** What JSON.stringify keeps as an object member (undefined, functions and symbols are left out). */
function present(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}
