import type { Catalog } from '../catalog/catalog.js';
import type { LogSourceOrigin } from '../catalog/types.js';

/**
 * The events of an origin a rule can match. A category's origin lists all of its events, narrowed by the
 * rule's EventIDs; a service's origin lists only notable ones, so the rule's EventIDs stand (none: any event).
 */
export function eventsRead(origin: LogSourceOrigin, isCategory: boolean, ruleIds: number[]): number[] {
  if (!isCategory || !origin.events?.length) return ruleIds;
  return ruleIds.length ? origin.events.filter((e) => ruleIds.includes(e)) : origin.events;
}

/** The channel and events a rule reads through the named origin of its log source; undefined without a channel. */
export function originReads(catalog: Catalog, logsourceKey: string, ruleIds: number[], originName: string): { channel: string; ids: number[] } | undefined {
  const entry = catalog.entryByKey(logsourceKey);
  const origin = entry?.sources.find((s) => s.name === originName);
  if (!origin?.channel) return undefined;
  return { channel: origin.channel, ids: eventsRead(origin, entry?.category !== undefined, ruleIds) };
}
