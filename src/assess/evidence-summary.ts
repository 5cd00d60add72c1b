/**
 * The evidence summary every report shows: per evidence state (rule × host), per log source observed vs not,
 * and per channel what the rules read against what arrived.
 */
import { channelKey } from '../observe/channels.js';
import { percent } from './counts.js';
import { emptyEvidenceCounts, EVIDENCE_STATES, type EvidenceAssessment, type EvidenceHost, type EvidenceRule, type EvidenceState } from './evidence.js';

export interface EvidenceReport {
  /** The --observed inputs: files read per kind and events counted. */
  sources: { files: number; kinds: Record<string, number>; events: number };
  /** Plain Windows rules per state (rule × host over several hosts). */
  counts: Record<EvidenceState, number>;
  judged: number;
  /** observed ÷ judged in percent, one decimal; null when nothing was judged. */
  observedShare: number | null;
  hosts: EvidenceHost[];
  /** Per log source the rules read, most rules first: states counted over rules (× hosts). */
  logsources: ({ logsource: string; rules: number } & Record<EvidenceState, number>)[];
  /**
   * Channels the rules read or the observations hold: rules reading it, of those the rules not observed on
   * some host (for which the channel's absence matters), events seen, hosts it arrived from.
   */
  channels: { channel: string; rules: number; rulesNotObserved: number; events: number; eventIds: number; hosts: number }[];
  /** Computers in the observations that match no configured host (their counts are not used). */
  unmatched: { computer: string; events: number }[];
  /** What the user should know about the inputs (skipped rows, pages left out …), each naming its file. */
  notes: string[];
}

export function summariseEvidence(
  rules: (EvidenceRule & { logsourceKey: string })[],
  ev: EvidenceAssessment,
  inputs: { files: number; kinds: Record<string, number>; events: number; notes: string[] },
): EvidenceReport {
  const counts = emptyEvidenceCounts();
  let judged = 0;
  const perSource = new Map<string, { logsource: string; rules: number } & Record<EvidenceState, number>>();
  rules.forEach((r, ri) => {
    if (r.kind !== 'rule') return;
    const states = ev.rules.map((perRule) => perRule[ri]?.state).filter((s): s is EvidenceState => s !== undefined);
    if (!states.length) return;
    const ls = perSource.get(r.logsourceKey) ?? { logsource: r.logsourceKey, rules: 0, ...emptyEvidenceCounts() };
    ls.rules++;
    for (const s of states) {
      ls[s]++;
      counts[s]++;
      judged++;
    }
    perSource.set(r.logsourceKey, ls);
  });

  const channels = new Map<string, EvidenceReport['channels'][number]>();
  const channel = (name: string) => {
    const k = channelKey(name);
    let c = channels.get(k);
    if (!c) channels.set(k, (c = { channel: name, rules: 0, rulesNotObserved: 0, events: 0, eventIds: 0, hosts: 0 }));
    return c;
  };
  rules.forEach((r, ri) => {
    if (r.kind !== 'rule' || !r.windows || r.unknownReason) return;
    const notObserved = ev.rules.some((perRule) => perRule[ri] !== undefined && perRule[ri]?.state !== 'observed');
    const byKey = new Map(
      [...r.branchEvents, ...r.supplementaryBranchEvents].flat().flatMap((e) => (e.channel ? [[channelKey(e.channel), e.channel] as const] : [])),
    );
    for (const name of byKey.values()) {
      const row = channel(name);
      row.rules++;
      if (notObserved) row.rulesNotObserved++;
    }
  });
  for (const h of ev.hosts) {
    for (const c of h.channels) {
      const row = channel(c.channel);
      // The catalog's spelling wins over an export's ("security" → "Security").
      if (row.rules === 0) row.channel = c.channel;
      row.events += c.events;
      row.eventIds = Math.max(row.eventIds, c.eventIds);
      row.hosts++;
    }
  }
  return {
    sources: { files: inputs.files, kinds: inputs.kinds, events: inputs.events },
    counts,
    judged,
    observedShare: percent(counts.observed, judged),
    hosts: ev.hosts,
    logsources: [...perSource.values()].sort((a, b) => b.rules - a.rules || a.logsource.localeCompare(b.logsource)),
    channels: [...channels.values()].sort((a, b) => b.rules - a.rules || b.events - a.events || a.channel.localeCompare(b.channel)),
    unmatched: ev.unmatched,
    notes: inputs.notes,
  };
}

/** "observed 12 · partly 3 · silent 40 · despite config 1 · not observed 900": the states in a fixed order. */
export function stateLine(c: Record<EvidenceState, number>): string {
  return EVIDENCE_STATES.map((s) => `${STATE_LABEL[s]} ${c[s].toLocaleString('en-US')}`).join(' · ');
}

export const STATE_LABEL: Record<EvidenceState, string> = {
  observed: 'observed',
  'observed-without-fields': 'without fields',
  'partly-observed': 'partly',
  silent: 'silent',
  'observed-despite-config': 'despite config',
  'not-observed': 'not observed',
};
