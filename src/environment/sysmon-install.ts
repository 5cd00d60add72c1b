/**
 * Which Sysmon a host runs, however it is installed (data/sysmon-install.yaml). sysmon-service.txt holds, each
 * after a "==== <command>" line: `sc query` / `sc qc` of the default names and of the service named after the
 * binary that registered the Sysmon publisher; `wevtutil gp Microsoft-Windows-Sysmon` (that binary, as
 * messageFileName: unchanged by renaming); `fltmc filters` (the minifilter at Sysmon's altitude, whatever its
 * name). Snapshots of older scripts hold the sc sections only: there, the default names being absent proves
 * nothing about a renamed install, so the Sysmon channel in wevtutil-gl.txt is the cross-check.
 */
import type { SysmonInstallFacts } from '../catalog/channel-facts.js';
import { forEachLine } from '../lines.js';
import type { HostEnvironment } from './model.js';
import type { ServiceInfo, ServiceSet } from './services.js';
import { HEADER } from './wevtutil.js';

export interface SysmonExtras {
  /** wevtutil gp ran: the binary registered for the publisher, or null when the publisher is not registered. */
  publisherBinary?: string | null;
  /** fltmc filters ran: the minifilter at Sysmon's altitude, or null when none is loaded. */
  minifilter?: string | null;
}

/** The wevtutil gp and fltmc sections of sysmon-service.txt. */
export function parseSysmonExtras(text: string, facts: SysmonInstallFacts): SysmonExtras {
  const out: SysmonExtras = {};
  let section: 'gp' | 'fltmc' | undefined;
  forEachLine(text.replace(/\uFEFF/g, ''), (raw) => {
    const h = HEADER.exec(raw);
    if (h) {
      section = /^wevtutil(\.exe)?\s+gp\b/i.test(h[1]!) ? 'gp' : /^fltmc(\.exe)?\s+filters\b/i.test(h[1]!) ? 'fltmc' : undefined;
      if (section === 'fltmc') out.minifilter ??= null;
      return true;
    }
    const t = raw.trim();
    if (section === 'gp') {
      const m = /^messageFileName:\s*(.+)$/i.exec(t);
      if (m) out.publisherBinary = m[1]!.trim();
      // Only "not found" proves the publisher unregistered; any other failure (access denied …) leaves it unknown.
      else if (out.publisherBinary === undefined && /cannot find|cannot be found|not found|does not exist|could not be found/i.test(t))
        out.publisherBinary = null;
    } else if (section === 'fltmc') {
      if (/^(FAILED|Error|Access)/i.test(t)) out.minifilter = undefined; // fltmc failed: says nothing
      // "SysmonDrv                               3       385201         0": name, instances, altitude, frame.
      const cols = t.split(/\s+/);
      if (cols.length >= 3 && cols[2] === facts.altitude) out.minifilter = cols[0]!;
    }
    return true;
  });
  return out;
}

const base = (path: string) =>
  (path.split('\\').pop() ?? path)
    .replace(/"/g, '')
    .replace(/\.exe\b.*$/i, '')
    .trim()
    .toLowerCase();

/**
 * Finds the Sysmon service among what sc reported: by default name, or named after the publisher's binary.
 * absent: proven by the name-independent facts (publisher not registered, and no minifilter at Sysmon's
 * altitude when fltmc ran); defaultsAbsent: only the default names were looked for, and none exists.
 */
export function findSysmonService(
  set: ServiceSet,
  extras: SysmonExtras,
  facts: SysmonInstallFacts,
  configFile?: string,
): { svc?: ServiceInfo; how: string; absent: boolean; defaultsAbsent: boolean; builtin: boolean } {
  const byBinary = extras.publisherBinary ? base(extras.publisherBinary) : undefined;
  const names = [...facts.defaultServices, ...(byBinary && !facts.defaultServices.includes(byBinary) ? [byBinary] : [])];
  for (const n of names) {
    const s = set.services.get(n);
    if (!s?.exists) continue;
    const builtin = isBuiltin(s, facts, [s.binaryPath, extras.publisherBinary ?? undefined, configFile]);
    const how = builtin
      ? 'the Windows built-in Sysmon (optional feature)'
      : facts.defaultServices.includes(n)
        ? 'Sysinternals Sysmon'
        : `Sysmon under another name: the binary that registered ${facts.publisher}`;
    return { svc: s, how, absent: false, defaultsAbsent: false, builtin };
  }
  // A minifilter at Sysmon's altitude with no publisher is odd (a half-removed install): not absent.
  const absent = extras.publisherBinary === null && !extras.minifilter;
  const defaultsAbsent = facts.defaultServices.some((n) => set.services.get(n)?.exists === false);
  return { how: '', absent, defaultsAbsent, builtin: false };
}

/** The optional feature's service name, with its binary (sc qc, the publisher) or config (sysmon -c) under System32. */
function isBuiltin(s: ServiceInfo, facts: SysmonInstallFacts, paths: (string | undefined)[]): boolean {
  if (!facts.builtin.binaryDir || s.name.toLowerCase() !== facts.builtin.service) return false;
  const dir = new RegExp(`\\\\${facts.builtin.binaryDir}\\\\`, 'i');
  return paths.some((p) => p !== undefined && dir.test(p));
}

/**
 * The Sysmon channel as a cross-check: enabled in wevtutil-gl.txt while no Sysmon service is found means
 * Sysmon may be installed under a name the snapshot did not query (a conflict, and the service state unknown).
 */
export function crossCheckChannel(host: HostEnvironment): void {
  const svc = host.sysmonService;
  const c = host.channels?.list.get('microsoft-windows-sysmon/operational');
  if (!svc || !c) return;
  if (svc.state === 'absent' && c.exists && c.enabled) {
    host.conflicts.push(
      `Sysmon: ${svc.source}, but ${host.channels?.source ?? 'wevtutil-gl.txt'} has the Microsoft-Windows-Sysmon/Operational channel enabled (installed under another name, or uninstalled and its channel left behind)`,
    );
    host.sysmonService = { state: 'unknown', source: `${svc.source}; but the Sysmon channel exists and is enabled: whether Sysmon runs is unknown` };
  }
}
