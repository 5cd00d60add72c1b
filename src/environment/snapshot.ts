/**
 * A host snapshot: the folder (or a .zip of it) the collection script writes on one host — the verbatim output
 * of gpresult, auditpol, reg export, wevtutil gl, sc, sysmon -c and systeminfo (SNAPSHOT_FILES). Every file is
 * optional; each one read becomes part of one Host, and a bad file is reported by its path while the rest of
 * the snapshot is still used.
 *
 * Precedence (docs/host-inputs.md): the effective audit policy (auditpol.csv) over what gpresult configures;
 * the registry (policies*.reg: whatever set it, GPO or MDM) over gpresult for administrative templates;
 * wevtutil gl (in force) over the policy for log sizes; explicit --sysmon / --role over the snapshot.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { decodeText, MAX_INPUT_FILE, readBounded, readText } from '../io/decode.js';
import { errnoMessage } from '../io/files.js';
import { parseAuditpol } from './auditpol.js';
import { applyAuditpol, applyGpresult } from './merge.js';
import { logName, parseGpresult, templateLog } from './gpresult.js';
import { addNotes, emptyHost, hostKey, type HostEnvironment, type InputError } from './model.js';
import { normaliseKey, parseRegFile, type RegFile } from './regfile.js';
import { registryPolicyOn } from './registry-match.js';
import { parseResourceSacl } from './resource-sacl.js';
import { entryOutcomes, setGlobalSacl } from './sacl-flags.js';
import { readObjectSacls } from './snapshot-sacls.js';
import { readSysmon } from './snapshot-sysmon.js';
import { parseSysteminfo } from './systeminfo.js';
import { applyManagement, managementFromSysteminfo } from './management.js';
import { parseWevtutilGl } from './wevtutil.js';
import { judgeCompleteness, parseWevtutilEl, rolesFromChannels } from './channel-roles.js';
import { readZip as readZipEntries } from '../io/zip.js';
import { append, forEachLine } from '../lines.js';

/** The file names a snapshot may hold (src/generate/collect-script.ts SNAPSHOT_FILES, checked by a test). */
export const SNAPSHOT_NAMES = [
  'gpresult.xml',
  'auditpol.csv',
  'auditpol-resourcesacl.txt',
  'policies.reg',
  'policies-system.reg',
  'wevtutil-gl.txt',
  'wevtutil-el.txt',
  'sysmon-service.txt',
  'sysmon.txt',
  'sysmon-config.xml',
  'systeminfo.csv',
  'systeminfo.txt',
  'sacls.txt',
  'errors.txt',
];

export interface Snapshot {
  /** Where it came from (folder or zip). */
  path: string;
  /** File name → text. */
  files: Map<string, string>;
}

/** Is this folder one snapshot (it holds snapshot files), rather than a folder of snapshots? */
export function isSnapshotDir(dir: string): boolean {
  try {
    return readdirSync(dir).some((n) => SNAPSHOT_NAMES.includes(n.toLowerCase()) && n.toLowerCase() !== 'errors.txt');
  } catch {
    return false;
  }
}

/** Snapshots under a --host argument: the folder itself, a zip, or a folder of folders / zips (a fleet). */
export function findSnapshots(arg: string, errors: InputError[]): Snapshot[] {
  const st = statSync(arg);
  if (st.isFile()) return arg.toLowerCase().endsWith('.zip') ? readZip(arg, errors) : [];
  if (isSnapshotDir(arg)) return [readDir(arg, errors)];
  const out: Snapshot[] = [];
  for (const name of readdirSync(arg).sort()) {
    const p = join(arg, name);
    let s;
    try {
      s = statSync(p);
    } catch (e) {
      errors.push({ path: p, message: `cannot access: ${errnoMessage(e)}` });
      continue;
    }
    if (s.isDirectory() && isSnapshotDir(p)) out.push(readDir(p, errors));
    else if (s.isFile() && name.toLowerCase().endsWith('.zip')) append(out, readZip(p, errors));
  }
  return out;
}

function readDir(dir: string, errors: InputError[]): Snapshot {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const lower = name.toLowerCase();
    if (!SNAPSHOT_NAMES.includes(lower)) continue;
    const p = join(dir, name);
    try {
      if (!statSync(p).isFile()) continue; // only regular files are read
      files.set(lower, readText(p, MAX_INPUT_FILE));
    } catch (e) {
      errors.push({ path: p, message: `cannot read file: ${errnoMessage(e)}` });
    }
  }
  return { path: dir, files };
}

/** A zip of one snapshot folder (or of several, one folder each). Only the known file names are inflated. */
function readZip(path: string, errors: InputError[]): Snapshot[] {
  const byFolder = new Map<string, Map<string, string>>();
  try {
    const zip = readZipEntries(readBounded(path, MAX_INPUT_FILE), (name) => SNAPSHOT_NAMES.includes(basename(name).toLowerCase()), MAX_INPUT_FILE);
    for (const p of zip.problems) errors.push({ path: join(path, p.name), message: p.message });
    for (const { name, data } of zip.entries) {
      const folder = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
      const files = byFolder.get(folder) ?? new Map<string, string>();
      files.set(basename(name).toLowerCase(), decodeText(data));
      byFolder.set(folder, files);
    }
  } catch (e) {
    errors.push({ path, message: `cannot read zip archive: ${errnoMessage(e)}` });
    return [];
  }
  return [...byFolder].sort().map(([folder, files]) => ({ path: folder ? join(path, folder) : path, files }));
}

/** One Host from a snapshot; problems in single files are errors naming the file. */
export function hostFromSnapshot(snap: Snapshot, catalog: Catalog, errors: InputError[]): HostEnvironment {
  const f = (name: string) => snap.files.get(name);
  const where = (name: string) => join(snap.path, name);
  const tryParse = <T>(name: string, parse: (text: string) => T): T | undefined => {
    const text = f(name);
    if (text === undefined) return undefined;
    try {
      return parse(text);
    } catch (e) {
      errors.push({ path: where(name), message: (e as Error).message });
      return undefined;
    }
  };

  // systeminfo.csv may hold the list output too (admins save whatever they ran); systeminfo.txt is the list's name.
  const si = f('systeminfo.csv') !== undefined ? 'systeminfo.csv' : 'systeminfo.txt';
  const info = tryParse(si, parseSysteminfo);
  const gp = tryParse('gpresult.xml', (t) => parseGpresult(t, catalog));
  const name = hostKey(info?.computer || gp?.computer || basename(snap.path).replace(/\.zip$/i, ''));
  const host = emptyHost(name);
  for (const name of [...snap.files.keys()].sort()) host.files.push(where(name));
  const notes = (file: string, list: string[] = []) => addNotes(host, file, list);
  notes(si, info?.notes);
  if (si === 'systeminfo.csv' && f('systeminfo.txt') !== undefined) notes('systeminfo.txt', ['not read: systeminfo.csv of the same snapshot is']);
  // Only the first ten failures are said: walked in place, never split (the file may be 64 MiB of lines).
  const failed: string[] = [];
  forEachLine(f('errors.txt') ?? '', (l) => {
    if (l.trim()) failed.push(`the collection script reported: ${l.trim()}`);
    return failed.length < 10;
  });
  notes('errors.txt', failed);

  if (gp) applyGpresult(host, gp, 'gpresult.xml', catalog);
  if (info?.role) {
    const kind = info.role === 'domain-controller' ? 'domain-controller' : /workstation/.test(info.role) ? 'workstation' : 'member-server';
    if (host.role?.kind && host.role.kind !== 'member' && host.role.kind !== kind)
      host.conflicts.push(`role: ${host.role.source} says ${host.role.kind}, ${si} says ${kind}`);
    host.role = { kind, features: new Set(), complete: false, source: `${si}: ${info.osConfiguration ?? info.role}` };
  }
  if (info) applyManagement(host, managementFromSysteminfo(info, si));

  const ap = tryParse('auditpol.csv', (t) => parseAuditpol(t, catalog));
  if (ap) {
    notes('auditpol.csv', ap.notes);
    if (ap.computer && info?.computer && hostKey(ap.computer) !== hostKey(info.computer))
      host.conflicts.push(`identity: auditpol.csv names ${ap.computer}, ${si} names ${info.computer} (outputs of two computers in one snapshot?)`);
    applyAuditpol(host, ap, 'auditpol.csv (in force)', catalog);
  }

  const sacl = tryParse('auditpol-resourcesacl.txt', parseResourceSacl);
  if (sacl) {
    notes('auditpol-resourcesacl.txt', sacl.notes);
    if (sacl.partial)
      errors.push({ path: where('auditpol-resourcesacl.txt'), message: `${sacl.partial}; read as partial: a global SACL not listed before it is unknown` });
    for (const kind of ['file', 'registry'] as const) {
      const g = sacl[kind];
      if (g)
        setGlobalSacl(
          host,
          kind,
          g.present,
          entryOutcomes(g.entries.map((e) => e.flags)),
          `auditpol-resourcesacl.txt${g.present ? `: ${g.entries.length} entr${g.entries.length === 1 ? 'y' : 'ies'}` : ''}`,
        );
    }
  }

  readObjectSacls(host, f('sacls.txt'), where('sacls.txt'), errors);
  readRegistry(host, snap, catalog, errors);
  readChannels(host, snap, catalog, errors);
  readSysmon(host, snap, catalog, errors);
  return host;
}

/** Registry policy values decide the administrative-template policies, whoever set them (GPO or MDM). */
function readRegistry(host: HostEnvironment, snap: Snapshot, catalog: Catalog, errors: InputError[]): void {
  const regs: { file: string; reg: RegFile }[] = [];
  for (const file of ['policies.reg', 'policies-system.reg']) {
    const text = snap.files.get(file);
    if (text === undefined) continue;
    try {
      const reg = parseRegFile(text);
      regs.push({ file, reg });
      addNotes(host, file, reg.notes);
      if (reg.partial)
        errors.push({ path: join(snap.path, file), message: `${reg.partial}; read as partial: a policy it does not set before that point is unknown` });
    } catch (e) {
      errors.push({ path: join(snap.path, file), message: (e as Error).message });
    }
  }
  if (!regs.length) return;
  const lookup = (key: string, value: string) => {
    for (const { file, reg } of regs) {
      const v = reg.keys.get(normaliseKey(key))?.get(value.toLowerCase());
      if (v) return { file, data: v.data };
    }
    return undefined;
  };
  // Each file exports one subtree, rooted at its first key (reg export writes the root first): a policy is "not
  // configured" only when a file whose root is its key or an ancestor was read. An export of
  // HKLM\SOFTWARE\Policies\Microsoft\Edge says nothing of the PowerShell keys beside it.
  const roots = regs.map(({ file, reg }) => ({ file, root: reg.keys.keys().next().value }));
  const covered = (key: string) => {
    const k = normaliseKey(key);
    return roots.some(({ root }) => root !== undefined && under(k, root));
  };
  for (const { file, root } of roots) {
    const want = file === 'policies.reg' ? 'HKLM\\SOFTWARE\\POLICIES' : 'HKLM\\SOFTWARE\\MICROSOFT\\WINDOWS\\CURRENTVERSION\\POLICIES\\SYSTEM';
    if (root && !under(want, root))
      host.notes.push(`${file}: the export is rooted at ${root.slice(0, 120)}, not ${want}: a policy outside it is unknown (reg export ${want} settles it)`);
  }
  for (const p of catalog.policies) {
    // Not a policy key (the CA's audit filter lives under the CA's own name): no policy export holds it.
    if (p.outsideGroupPolicy) continue;
    if (!p.registry.length || !p.registry.every((r) => covered(r.key))) {
      // The export holding this policy's key is missing: neither on nor off is known (MDM may have set it).
      const file = p.registry[0]?.key.startsWith('HKLM\\SOFTWARE\\Policies') ? 'policies.reg' : 'policies-system.reg';
      const read = roots.find((r) => r.file === file);
      if (!host.policies.has(p.id))
        (host.policyGaps ??= new Map()).set(
          p.id,
          read
            ? `its registry key is outside what ${file} exports (rooted at ${read.root ?? 'no key'})`
            : `its registry key is in no export of this snapshot (${file} is missing)`,
        );
      continue;
    }
    const found = p.registry.map((r) => ({ r, v: lookup(r.key, r.value) }));
    // Not found in an export cut short by a limit: it may be set after the cut, so neither on nor off is known.
    const cut = found.find(({ v }) => v === undefined && regs.some(({ reg }) => reg.partial));
    if (cut) {
      if (!host.policies.has(p.id))
        (host.policyGaps ??= new Map()).set(
          p.id,
          `${regs
            .filter(({ reg }) => reg.partial)
            .map(({ file }) => file)
            .join(', ')} was read only in part (limit), and ${cut.r.value} is not set in the part read`,
        );
      continue;
    }
    const on = registryPolicyOn(found);
    const any = found.find((x) => x.v)?.v;
    const prev = host.policies.get(p.id);
    const state = on ? 'on' : 'off';
    if (prev && prev.state !== state)
      host.conflicts.push(
        `${p.name}: ${prev.source} says ${prev.state}, the registry (${any?.file ?? 'not set'}) says ${state} (the registry is what is in force)`,
      );
    host.policies.set(p.id, { state, source: any ? `${any.file} (registry)` : `${regs.map((x) => x.file).join(', ')}: not set (disabled by default)` });
  }
  host.covers.policies = true;
  // Administrative-template log sizes (EventLog\<log>\MaxSize, KB) where wevtutil does not say better.
  for (const { file, reg } of regs) {
    for (const [key, values] of reg.keys) {
      const log = templateLog(key);
      const size = values.get('maxsize')?.data;
      if (!log || typeof size !== 'number') continue;
      const policy = `the administrative template "Specify the maximum log file size (KB)" (Windows Components > Event Log Service > ${log}; ${file}: ${key}\\MaxSize)`;
      host.eventLogs.set(log, { log, maxSizeKB: size, retention: host.eventLogs.get(log)?.retention, source: `${file} (administrative template)`, policy });
    }
  }
}

/** Is key `k` the key `root` or below it (both normalised)? */
const under = (k: string, root: string) => k === root || k.startsWith(`${root}\\`);

/** wevtutil gl: every channel's state; sizes and retention as in force. */
function readChannels(host: HostEnvironment, snap: Snapshot, catalog: Catalog, errors: InputError[]): void {
  const text = snap.files.get('wevtutil-gl.txt');
  if (text === undefined) return;
  let set;
  try {
    set = parseWevtutilGl(text);
  } catch (e) {
    errors.push({ path: join(snap.path, 'wevtutil-gl.txt'), message: (e as Error).message });
    return;
  }
  for (const n of set.notes) host.notes.push(`wevtutil-gl.txt: ${n}`);
  if (set.partial) errors.push({ path: join(snap.path, 'wevtutil-gl.txt'), message: `${set.partial}; read as partial: the channels after them are unknown` });
  const list = new Map<string, { name: string; exists: boolean; enabled?: boolean }>();
  let complete = !set.partial;
  for (const [key, c] of set.channels) {
    if (c.truncated) complete = false;
    const missing =
      c.error !== undefined &&
      (/could not be found|not found|does not exist/i.test(c.error) || catalog.channelFacts.notFound.some((t) => c.error!.includes(t)));
    // Unreadable (access denied …): the channel exists, its state is unknown (enabled left undefined).
    list.set(key, { name: c.name, exists: !missing, enabled: missing ? false : c.error !== undefined ? undefined : c.enabled });
    if (!missing && c.maxSizeBytes !== undefined && ['security', 'system', 'application', 'setup'].includes(key)) {
      const log = logName(key);
      // The size in force; a policy that sets it (read before) still puts a local change back.
      const policy = host.eventLogs.get(log)?.policy;
      host.eventLogs.set(log, {
        log,
        maxSizeKB: Math.floor(c.maxSizeBytes / 1024),
        retention: c.retention ? 2 : 0,
        source: 'wevtutil-gl.txt (in force)',
        ...(policy ? { policy } : {}),
      });
    }
  }
  const elText = snap.files.get('wevtutil-el.txt');
  const el = elText === undefined ? undefined : parseWevtutilEl(elText);
  if (el?.partial)
    errors.push({
      path: join(snap.path, 'wevtutil-el.txt'),
      message: `${el.partial}; read as partial: it cannot tell whether wevtutil-gl.txt lists every channel`,
    });
  const judged = set.partial
    ? { complete: false, source: `wevtutil-gl.txt (${set.partial}: channels after them are unknown)` }
    : judgeCompleteness(list, complete, el, catalog);
  if (!judged.complete && !set.partial && complete)
    host.notes.push(`${judged.source.replace(/^wevtutil-gl\.txt \((.*)\)$/, 'wevtutil-gl.txt: $1')}: a channel it does not list is unknown, not absent`);
  host.channels = { list, complete: judged.complete, source: judged.source };
  rolesFromChannels(host, catalog);
}
