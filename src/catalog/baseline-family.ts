/** Baseline families: one name for the members of a file that differ by kind of host (windows-default, mdi). */
import type { Baseline, BaselineRole } from './baseline-types.js';

/**
 * A family: the baselines of one file that differ by computer type (windows-default-client / -server / -dc,
 * microsoft-general-workstation / -member / -dc). Named without its suffix, it picks for each host the member
 * of that host's type. Undefined when `name` is no family's name.
 */
export function baselineFamily(list: Baseline[], name: string): Baseline[] | undefined {
  const n = name.trim().toLowerCase();
  const members = list.filter((b) => b.role && b.name.startsWith(`${n}-`) && !b.name.slice(n.length + 1).includes('-'));
  const files = new Set(members.map((b) => b.file));
  return members.length > 1 && files.size === 1 ? members : undefined;
}

/** Family names (each with its members), for `baseline --list`. */
export function baselineFamilies(list: Baseline[]): { name: string; members: Baseline[] }[] {
  const byFile = new Map<string, Baseline[]>();
  for (const b of list) if (b.role) byFile.set(b.file, [...(byFile.get(b.file) ?? []), b]);
  const out: { name: string; members: Baseline[] }[] = [];
  for (const members of byFile.values()) {
    if (members.length < 2) continue;
    // The longest common prefix ending in "-", without it.
    let prefix = members[0]!.name;
    for (const m of members) while (!m.name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    const name = prefix.replace(/-[^-]*$/, '').replace(/-$/, '');
    if (name && baselineFamily(list, name)?.length === members.length) out.push({ name, members });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The member of a family for a host of this kind; undefined when the kind does not tell client, server or DC. */
export function familyMember(members: Baseline[], kind: string | undefined, features: ReadonlySet<string> = new Set()): Baseline | undefined {
  const role: BaselineRole | undefined =
    kind === 'workstation' ? 'workstation' : kind === 'member-server' ? 'member-server' : kind === 'domain-controller' ? 'domain-controller' : undefined;
  if (!role) return undefined;
  const same = members.filter((b) => b.role === role);
  if (same.length < 2) return same[0];
  // Several members for one computer type (mdi: AD CS, AD FS, Entra Connect servers): only a known server role
  // tells them apart; one match, or none (the host is none of them: no member, rather than a guess).
  const hits = same.filter((b) => b.feature && features.has(b.feature));
  return hits.length === 1 ? hits[0] : undefined;
}
