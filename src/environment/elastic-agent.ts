/**
 * Elastic Agent policy (YAML or JSON: Fleet's "View policy", `elastic-agent inspect`, the Fleet API's full
 * policy under `item`, or a standalone elastic-agent.yml) → forwarded set. Inputs of type `winlog` hold
 * streams written like Winlogbeat's event_logs entries (name, event_id, provider, level, ignore_older,
 * xml_query, processors): winlog-streams.ts reads each. Input-level processors apply to every stream of the
 * input. A stream `condition` other than the Windows platform check is not evaluated: its events are possible.
 */
import type { ForwardedSet } from './forwarded.js';
import { droppedBy, type IdMatch } from './beats-processors.js';
import { ChannelBatch, readWinlogEntry } from './winlog-streams.js';
import { LIMITS } from '../limits.js';
import { lazy } from '../lazy.js';
import { scalar } from './scalar.js';

const yaml = lazy<typeof import('yaml')>('yaml');

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `${host.platform} == 'windows'` (the integrations' own condition) is true on every Windows host. */
const WINDOWS_ONLY = /^\s*\$\{host\.platform\}\s*==\s*(['"])windows\1\s*$/;

/** The parsed policy's inputs list (top level, or under Fleet's `item`). */
export function agentInputs(doc: unknown): unknown[] | undefined {
  if (!isObj(doc)) return undefined;
  const root = isObj(doc['item']) ? doc['item'] : doc;
  return Array.isArray(root['inputs']) ? root['inputs'] : undefined;
}

export function parsePolicy(content: string): unknown {
  try {
    return yaml().parse(content.replace(/^\uFEFF/, ''), { maxAliasCount: 100, logLevel: 'error' });
  } catch (e) {
    throw new Error(`YAML/JSON error: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}

export function readElasticAgent(content: string, source: string, into: ForwardedSet, notes: string[]): void {
  const inputs = agentInputs(parsePolicy(content));
  if (!inputs) throw new Error('no inputs list (an Elastic Agent policy has inputs: at the top level)');
  const batch = new ChannelBatch();
  let winlog = 0;
  inputs.slice(0, LIMITS.collector.entries).forEach((input, i) => {
    if (!isObj(input) || input['type'] !== 'winlog') return;
    winlog++;
    const label = `${source} inputs[${i}]${typeof input['id'] === 'string' ? ` (${input['id']})` : ''}`;
    if (input['enabled'] === false) {
      notes.push(`${label} is disabled; it forwards nothing`);
      return;
    }
    const inputDrop: IdMatch = droppedBy(input['processors'], `${label} processors`);
    // A standalone policy may put one event log on the input itself instead of streams.
    const streams = Array.isArray(input['streams']) ? input['streams'] : [input];
    streams.slice(0, LIMITS.collector.entries).forEach((s, j) => {
      if (!isObj(s)) return;
      const sLabel = streams === input['streams'] ? `${label} streams[${j}]` : label;
      if (s['enabled'] === false) {
        notes.push(`${sLabel} is disabled; it forwards nothing`);
        return;
      }
      const reasons: string[] = [];
      const cond = s['condition'] ?? (s === input ? undefined : input['condition']);
      if (cond !== undefined && !(typeof cond === 'string' && WINDOWS_ONLY.test(cond))) reasons.push(`condition ${scalar(cond).slice(0, 80)} (not evaluated)`);
      readWinlogEntry(s, sLabel, into, batch, notes, { drop: inputDrop, reasons });
    });
  });
  if (!winlog) notes.push(`${source}: no input of type winlog; it forwards no Windows event log`);
  batch.flush(into);
}
