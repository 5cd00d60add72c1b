/**
 * What a host's channel list proves beyond each channel's state (data/channels.yaml):
 *  - whether the list is the host's full list: admins often capture only `wevtutil gl Security`, and a channel
 *    missing from such a file is unknown, not "not on this host". The list is full when the collection script's
 *    `wevtutil el` output (wevtutil-el.txt) is beside it and every channel it names is in the file, or when the
 *    file holds every channel a Windows install always has;
 *  - roles: a channel that exists only with a role (Directory Service, DNS Server, MSExchange …) proves the role;
 *    its absence from a full list proves the role absent.
 */
import type { Catalog } from '../catalog/catalog.js';
import { roleOfChannel } from '../catalog/channel-facts.js';
import { forEachLine } from '../lines.js';
import { LIMITS } from '../limits.js';
import type { HostEnvironment } from './model.js';

/** Channel names of `wevtutil el` (one per line), lower-case; header and blank lines skipped. */
export function parseWevtutilEl(text: string): { names: Set<string>; partial?: string } {
  const names = new Set<string>();
  let partial: string | undefined;
  forEachLine(text.replace(/\uFEFF/g, ''), (raw) => {
    const t = raw.trim();
    if (!t || t.startsWith('====')) return true;
    if (names.size >= LIMITS.host.channels) {
      partial = `more than ${LIMITS.host.channels.toLocaleString('en-US')} channels (limit)`;
      return false;
    }
    names.add(t.toLowerCase());
    return true;
  });
  return partial ? { names, partial } : { names };
}

/**
 * Decides whether the channel list read from wevtutil-gl.txt is the full list. `readable`: the file was read
 * to its end (no limit, no cut-off block). Returns the source text for verdicts.
 */
export function judgeCompleteness(
  list: Map<string, unknown>,
  readable: boolean,
  el: { names: Set<string>; partial?: string } | undefined,
  catalog: Catalog,
): { complete: boolean; source: string } {
  if (!readable) return { complete: false, source: 'wevtutil-gl.txt (cut off: channels after the cut are unknown)' };
  if (el && !el.partial) {
    const absent = [...el.names].filter((n) => !list.has(n));
    if (!absent.length) return { complete: true, source: 'wevtutil-gl.txt (every channel of wevtutil-el.txt)' };
    return {
      complete: false,
      source: `wevtutil-gl.txt (${absent.length} channel${absent.length === 1 ? '' : 's'} of wevtutil-el.txt not in it, e.g. ${absent.slice(0, 2).join(', ')}: not the full list)`,
    };
  }
  const always = catalog.channelFacts.always;
  const missing = always.filter((n) => !list.has(n.toLowerCase()));
  if (always.length && !missing.length)
    return { complete: true, source: `wevtutil-gl.txt (holds every channel a Windows install always has: read as the full list)` };
  const n = list.size;
  return {
    complete: false,
    source: `wevtutil-gl.txt (${n} channel${n === 1 ? '' : 's'} only, without ${missing.slice(0, 2).join(', ')}${missing.length > 2 ? ` and ${missing.length - 2} more` : ''} that every Windows install has: not the full list; the collection script's wevtutil-el.txt would settle it)`,
  };
}

/** Roles the channel list proves present (a role's channel exists) or absent (a full list without it). */
export function rolesFromChannels(host: HostEnvironment, catalog: Catalog): void {
  const ch = host.channels;
  if (!ch) return;
  const facts = catalog.channelFacts;
  const present = new Map<string, string>();
  for (const c of ch.list.values()) {
    if (!c.exists) continue;
    const r = roleOfChannel(facts, c.name);
    if (r && !present.has(r.role)) present.set(r.role, c.name);
  }
  // A role object only when the list tells something (a host with no role input keeps none).
  const tells = present.size > 0 || ch.complete;
  if (!tells) return;
  const role = (host.role ??= { features: new Set(), complete: false, source: ch.source });
  for (const [r, channel] of present) {
    const why = `wevtutil-gl.txt lists the ${channel} channel`;
    if (r === 'domain-controller') {
      if (role.kind && role.kind !== 'domain-controller') host.conflicts.push(`role: ${role.source} says ${role.kind}, ${why} (a domain controller's log)`);
      else if (!role.kind) Object.assign(role, { kind: 'domain-controller', source: why });
      continue;
    }
    if (!role.features.has(r)) {
      role.features.add(r);
      (role.evidence ??= new Map()).set(r, why);
    }
  }
  if (!ch.complete) return;
  for (const r of new Set(facts.roles.map((x) => x.role))) {
    if (present.has(r) || role.features.has(r)) continue;
    if (r === 'domain-controller' && role.kind === 'domain-controller') {
      host.conflicts.push(`role: ${role.source} says domain controller, but ${ch.source} has no Directory Service channel`);
      continue;
    }
    (role.absent ??= new Map()).set(r, `${ch.source} has no ${facts.roles.find((x) => x.role === r)?.channel} channel`);
  }
}
