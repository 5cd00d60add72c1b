/**
 * Microsoft Sentinel's Windows Security Events sets (All / Common / Minimal) as collectors: `--collector
 * sentinel-common` forwards what that set collects, so a check shows which rules the set starves. The event
 * IDs and their source are in data/sentinel-event-sets.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR } from '../paths.js';
import { ALL, addForward, normalize, type ForwardedSet, type Ranges } from './forwarded.js';
import { lazy } from '../lazy.js';

const yaml = lazy<typeof import('yaml')>('yaml');

export const SENTINEL_SETS = ['sentinel-all', 'sentinel-common', 'sentinel-minimal'] as const;
export type SentinelSet = (typeof SENTINEL_SETS)[number];

export const isSentinelSet = (arg: string): arg is SentinelSet => (SENTINEL_SETS as readonly string[]).includes(arg.toLowerCase());

interface SetData {
  title: string;
  channels: Map<string, Ranges>;
}

const DEFAULT_DATA_DIR = join(PACKAGE_DIR, 'data');

let cache: Map<string, SetData> | undefined;

/** Reads and checks data/sentinel-event-sets.yaml; throws naming the file on a malformed entry. */
export function sentinelSets(dataDir = DEFAULT_DATA_DIR): Map<string, SetData> {
  if (cache && dataDir === DEFAULT_DATA_DIR) return cache;
  const file = join(dataDir, 'sentinel-event-sets.yaml');
  const doc = yaml().parse(readFileSync(file, 'utf8')) as { sets?: Record<string, { title?: unknown; channels?: Record<string, unknown> }> };
  const out = new Map<string, SetData>();
  for (const [key, s] of Object.entries(doc?.sets ?? {})) {
    const channels = new Map<string, Ranges>();
    for (const [channel, ids] of Object.entries(s?.channels ?? {})) {
      if (ids === 'all') channels.set(channel, ALL);
      else if (Array.isArray(ids) && ids.every((n) => Number.isInteger(n) && n >= 0 && n <= 65535))
        channels.set(channel, normalize(ids.map((n: number) => [n, n] as [number, number])));
      else throw new Error(`${file}: sets.${key}.channels.${channel} is neither "all" nor a list of event IDs`);
    }
    out.set(`sentinel-${key}`, { title: typeof s?.title === 'string' ? s.title : key, channels });
  }
  if (dataDir === DEFAULT_DATA_DIR) cache = out;
  return out;
}

/** Adds what the named set forwards; returns its title. */
export function addSentinelSet(into: ForwardedSet, name: string): string {
  const set = sentinelSets().get(name.toLowerCase());
  if (!set) throw new Error(`${name}: not in data/sentinel-event-sets.yaml`);
  for (const [channel, ids] of set.channels) addForward(into, channel, ids, ids, [], name.toLowerCase());
  return set.title;
}
