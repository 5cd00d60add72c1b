/**
 * The evidence stage of a check run (--observed): reads the observations, joins them with the hosts' verdicts
 * (or, without configuration inputs, judges from the observations alone) and adds them to the result.
 */
import type { Assessment } from './assess/assess.js';
import { assessEvidence, type EvidenceHostInput } from './assess/evidence.js';
import { summariseEvidence } from './assess/evidence-summary.js';
import type { ObservationLoad } from './observe/load.js';
import { withEvidence } from './result/evidence.js';
import type { CheckResult } from './result/result.js';
import { append } from './lines.js';

export function addEvidence(result: CheckResult, obs: ObservationLoad, assessment?: Assessment): CheckResult {
  append(result.errors, obs.errors);
  result.summary.errors = result.errors.length;
  const names = new Map(result.requirements.map((q) => [q.id, q.name]));
  const hosts: EvidenceHostInput[] = (assessment?.hosts ?? []).map((h) => ({
    name: h.name,
    verdicts: h.rules.map((v) => v.verdict),
    stateOf: (id) => {
      const s = h.states.get(id);
      return s && { state: s.state, reason: s.reason, name: names.get(id) };
    },
    ...(h.sysmon?.hashAlgorithms ? { sysmonHashAlgorithms: h.sysmon.hashAlgorithms } : {}),
  }));
  const ev = assessEvidence(result.rules, obs, hosts);
  const notes = [...obs.notes];
  if (ev.unmatched.length) {
    const list = ev.unmatched
      .slice(0, 10)
      .map((u) => `${u.computer} (${u.events.toLocaleString('en-US')})`)
      .join(', ');
    notes.push(`${ev.unmatched.length} computer(s) in the observations match no host input and are not used: ${list}${ev.unmatched.length > 10 ? ', …' : ''}`);
  }
  const unnamed = hosts.length ? ev.hosts.filter((h) => !h.events).map((h) => h.name) : [];
  if (unnamed.length === 1) notes.push(`${unnamed[0]}: no observation names this host; its rules are not judged`);
  else if (unnamed.length)
    notes.push(
      `${unnamed.length} hosts no observation names; their rules are not judged: ${unnamed.slice(0, 10).join(', ')}${unnamed.length > 10 ? ', …' : ''}`,
    );
  const summary = summariseEvidence(result.rules, ev, { files: obs.sources.length, kinds: obs.kinds, events: obs.events, notes });
  return withEvidence(result, ev, summary);
}
