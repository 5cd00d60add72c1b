/**
 * Event logs the rule set reads that are capped below the recommended size (data/eventlog.yaml): the warning
 * the report gives and the fix the remediation files carry come from the same shortfall list.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { EventLogThreshold } from '../catalog/types.js';
import type { HostEnvironment } from '../environment/model.js';
import { originReads } from '../requirements/reads.js';
import type { AssessInput } from './counts.js';

export interface LogSizeShortfall {
  log: string;
  /** The size the inputs show, and which input says it. */
  currentKB: number;
  setting: string;
  threshold: EventLogThreshold;
  /** Rules that read the log. */
  rules: number;
}

/** Rules per event log (channel) they read, through the origins of their alternatives; keys lower case. */
export function rulesPerLog(result: AssessInput, catalog: Catalog): Map<string, number> {
  const use = new Map<string, number>();
  for (const r of result.rules) {
    if (r.kind !== 'rule' || r.unknownReason) continue;
    const channels = new Set(r.origins.flatMap((o) => originReads(catalog, r.logsourceKey, r.eventIds, o)?.channel ?? []));
    for (const c of channels) use.set(c.toLowerCase(), (use.get(c.toLowerCase()) ?? 0) + 1);
  }
  return use;
}

/** A log the rules read whose known size is below the recommendation rolls over before events are collected. */
export function logSizeShortfalls(host: HostEnvironment, use: Map<string, number>, catalog: Catalog): LogSizeShortfall[] {
  const out: LogSizeShortfall[] = [];
  for (const t of catalog.eventLogs) {
    const rules = use.get(t.log.toLowerCase()) ?? 0;
    const set = host.eventLogs.get(t.log);
    if (!rules || set?.maxSizeKB === undefined || set.maxSizeKB >= t.recommendedMinKB) continue;
    out.push({ log: t.log, currentKB: set.maxSizeKB, setting: set.source, threshold: t, rules });
  }
  return out;
}

/** Never-overwrite retention stops logging when the log is full: a warning only (no source asks us to change it). */
export function logWarnings(host: HostEnvironment, use: Map<string, number>, catalog: Catalog): string[] {
  const out: string[] = [];
  for (const t of catalog.eventLogs) {
    const n = use.get(t.log.toLowerCase()) ?? 0;
    const set = host.eventLogs.get(t.log);
    if (n && set?.retention === 2) {
      out.push(
        `${t.log} log is set never to overwrite events (${set.source}): once full, new events are lost until it is cleared or archived; ${n} rule(s) read it`,
      );
    }
  }
  for (const s of logSizeShortfalls(host, use, catalog)) {
    out.push(
      `${s.log} log is capped at ${s.currentKB} KB (${s.setting}), below the recommended ${s.threshold.recommendedMinKB} KB (${s.threshold.source}); ${s.rules} rule(s) read it; logsource-check fix raises it`,
    );
  }
  return out;
}
