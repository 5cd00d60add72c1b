import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import { eventState, type SysmonState } from '../environment/sysmon.js';
import type { HostEnvironment, State } from '../environment/model.js';

export type Verdict = 'ready' | 'partial' | 'blocked' | 'unknown';

export interface RequirementState {
  /** `partial`: only for one rule — Sysmon logs some of the events it matches. */
  state: State | 'partial';
  /** Sysmon event types: the config's own state of the type (on, filtered, off, unsupported). */
  sysmonState?: SysmonState;
  /** Why, in a few words: "gpresult x.xml (GPO SOC Baseline)", "no Sysmon config given". */
  reason: string;
}

/** State of one requirement on one host. */
export function requirementState(id: string, host: HostEnvironment, catalog: Catalog): RequirementState {
  const [kind, rest] = splitRequirement(id);
  switch (kind) {
    case 'audit': {
      const [guid = '', outcome] = rest.split(':');
      if (!host.covers.audit) return { state: 'unknown', reason: 'no audit policy input (gpresult or auditpol) for this host' };
      const v = host.audit.get(guid.toUpperCase());
      const side = outcome === 'failure' ? v?.failure : v?.success;
      if (side === undefined) return { state: 'unknown', reason: 'not configured by the inputs: the Windows default applies' };
      return { state: side ? 'on' : 'off', reason: v?.source ?? '' };
    }
    case 'policy': {
      if (!host.covers.policies) return { state: 'unknown', reason: 'no gpresult for this host' };
      const p = host.policies.get(rest);
      // These policies are disabled by default in Windows: not configured by any GPO means off.
      if (!p) return { state: 'off', reason: 'not configured by any GPO (disabled by default)' };
      return { state: p.state, reason: p.detail ? `${p.source}: ${p.detail}` : p.source };
    }
    case 'sysmon': {
      if (!host.sysmon) return { state: 'unknown', reason: 'no Sysmon configuration given' };
      const s = eventState(host.sysmon, Number(rest), catalog);
      const where = `sysmon ${host.sysmon.path} (schema ${host.sysmon.schemaVersion})`;
      if (s === 'unsupported') return { state: 'off', sysmonState: s, reason: `${where}: the schema predates this event type` };
      // "filtered" is on for the rules whose events its filters keep: decided per rule by the simulation.
      return { state: s === 'off' ? 'off' : 'on', sysmonState: s, reason: where };
    }
    default:
      return { state: 'unknown', reason: 'channel state is not in the inputs' };
  }
}

export interface RuleAssessment {
  verdict: Verdict;
  /** Requirement ids not on in the closest alternative (fewest missing). */
  missing: string[];
  /** One sentence for reports. */
  why: string;
}

/**
 * ready: one full alternative is entirely on. partial: something the rule needs is on (some of its events or
 * channels are produced, or only a supplementary source like PowerShell 7), yet no alternative is complete.
 * blocked: everything it needs is known to be off. unknown: nothing is on and the inputs do not tell some of it.
 */
export function assessRule(
  alternatives: string[][],
  supplementary: string[][],
  stateOf: (id: string) => RequirementState,
): RuleAssessment {
  if (alternatives.some((a) => a.length === 0)) return { verdict: 'ready', missing: [], why: 'logged by default' };
  const isOn = (id: string) => stateOf(id).state === 'on';
  const scored = alternatives.map((alt) => {
    const notOn = alt.filter((id) => !isOn(id));
    return { alt, notOn, unknown: notOn.filter((id) => stateOf(id).state === 'unknown') };
  });
  const complete = scored.find((s) => s.notOn.length === 0);
  if (complete) return { verdict: 'ready', missing: [], why: `${complete.alt.length} requirement(s) on` };

  const best = [...scored].sort((a, b) => a.notOn.length - b.notOn.length || a.unknown.length - b.unknown.length)[0];
  const missing = best?.notOn ?? [];
  // Shipping (forward:…) is not producing: a forwarded channel whose events are not logged makes nothing partial.
  const all = [...alternatives, ...supplementary].flat().filter((id) => !id.startsWith('forward:'));
  const anyOn = all.some((id) => isOn(id) || stateOf(id).state === 'partial');
  if (anyOn) {
    const suppOnly = supplementary.some((s) => s.every(isOn));
    const partialIds = all.filter((id) => stateOf(id).state === 'partial');
    const why = suppOnly
      ? 'only a supplementary source (e.g. PowerShell 7) is logged'
      : partialIds.length
        ? `logged only in part: ${[...new Set(partialIds)].map((id) => `${id} (${stateOf(id).reason})`).join('; ')}`
        : 'some of what it needs is on';
    return { verdict: 'partial', missing, why };
  }
  const unknown = [...new Set(alternatives.flat().filter((id) => stateOf(id).state === 'unknown'))];
  if (unknown.length) return { verdict: 'unknown', missing, why: `the inputs do not tell: ${unknown.map((id) => `${id} (${stateOf(id).reason})`).join('; ')}` };
  return { verdict: 'blocked', missing, why: 'everything it needs is off' };
}
