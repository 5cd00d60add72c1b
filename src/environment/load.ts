import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { encodingNote, MAX_INPUT_FILE, readTextAs, TooLargeError, type TextEncoding } from '../io/decode.js';
import { errnoMessage } from '../io/files.js';
import { parseAuditpol, type AuditpolSettings } from './auditpol.js';
import { applyAuditpol, applyGpresult } from './merge.js';
import { parseGpresult } from './gpresult.js';
import { readGpoArgument, type GpoInput } from './gpo.js';
import { hostFromGpos } from './gpo-host.js';
import { parseSysmonConfig, type SysmonConfig } from './sysmon.js';
import { detectFormat, readCollector, type CollectorFormat } from './collectors.js';
import { readSplunkInputs } from './splunk-inputs.js';
import { splunkEtcInputs } from './splunk-conf.js';
import { addSentinelSet, isSentinelSet } from './sentinel-sets.js';
import type { ForwardedSet } from './forwarded.js';
import { emptyHost, hostKey, type HostEnvironment, type InputError } from './model.js';
import { findSnapshots, hostFromSnapshot, SNAPSHOT_NAMES } from './snapshot.js';
import { applyRoles, parseRoleOption, type RoleOption } from './roles.js';
import { append } from '../lines.js';

export { parseRoleOption } from './roles.js';

export interface EnvironmentInputs {
  /** Host snapshots: a folder the collection script wrote, a .zip of it, or a folder of them (a fleet). */
  host?: string[];
  gpresult?: string[];
  auditpol?: string[];
  /** Sysmon configuration XML; one config applies to every host (it is deployed fleet-wide). */
  sysmon?: string[];
  /** Collector configurations (WEF, QueryList, NXLog, Winlogbeat); together they form the forwarded set. */
  collector?: string[];
  /** Format of every --collector file, instead of detecting it. */
  collectorFormat?: CollectorFormat;
  /** --role [HOST=]dc,dns …: what a host is (all hosts without HOST=); stated roles are complete. */
  roles?: string[];
  /** GPO backups / Get-GPOReport XML, in link order (first = highest precedence): together one virtual host (gpo-host.ts). */
  gpo?: string[];
}

export interface Environment {
  /** Every host (loadEnvironment); empty when the hosts were streamed (streamEnvironment). */
  hosts: HostEnvironment[];
  /** How many hosts the inputs describe. */
  hostCount: number;
  errors: InputError[];
  /** Arguments that do not exist: the invocation is unusable. */
  missing: string[];
  /** Inputs naming different computers, kept apart as separate hosts: said in every report. */
  identity: string[];
}

export function hasEnvironmentInputs(i: EnvironmentInputs): boolean {
  return Boolean(i.host?.length || i.gpresult?.length || i.gpo?.length || i.auditpol?.length || i.sysmon?.length || i.collector?.length);
}

/** Reads every environment input into hosts: one per snapshot or gpresult file, auditpol merged into its host. */
export function loadEnvironment(inputs: EnvironmentInputs, catalog: Catalog): Environment {
  const stream = streamEnvironment(inputs, catalog);
  const hosts = [...stream.hosts];
  return { ...stream.env, hosts };
}

/** Where a kind of input reports its problems: kept apart so that they are listed in the same order however read. */
interface Sink {
  errors: InputError[];
  missing: string[];
}

/**
 * The hosts one at a time, each complete (its auditpol exports merged, --role, the Sysmon config and the
 * collectors applied), so that a fleet of 100,000 gpresult files is never held in memory at once; `env`
 * holds the errors, missing inputs and identity notes once the hosts have been consumed. The fleet-wide
 * inputs (auditpol exports, Sysmon config, collectors, roles) are read first.
 */
export function streamEnvironment(inputs: EnvironmentInputs, catalog: Catalog): { hosts: Iterable<HostEnvironment>; env: Environment } {
  const env: Environment = { hosts: [], hostCount: 0, errors: [], missing: [], identity: [] };
  return { env, hosts: produce(inputs, catalog, env) };
}

function* produce(inputs: EnvironmentInputs, catalog: Catalog, env: Environment): Generator<HostEnvironment> {
  // Sinks in the order their problems are listed: snapshots, gpresult, auditpol, --role, Sysmon, collectors.
  const [snaps, gp, ap, role, sys, coll] = Array.from({ length: 6 }, (): Sink => ({ errors: [], missing: [] }));
  const roles: RoleOption[] = (inputs.roles ?? []).map((value) => ({ value, ...parseRoleOption(value) }));
  const auditpols = readAuditpols(inputs.auditpol ?? [], catalog, ap as Sink);
  const sysmon = readSysmon(inputs.sysmon ?? [], catalog, sys as Sink);
  const collectors = readCollectors(inputs, catalog, coll as Sink);
  const names = new Set<string>();
  const byKey = new Map<string, typeof auditpols>();
  for (const a of auditpols) {
    const list = byKey.get(a.key);
    if (list) list.push(a);
    else byKey.set(a.key, [a]);
  }
  // An export without a machine name (a GPO backup audit.csv) belongs to the one host beside it, if one:
  // that is known only once every host is read, so such a run keeps its hosts until then.
  const hold = auditpols.some((a) => !a.key);
  const held: HostEnvironment[] = [];
  const finish = (host: HostEnvironment): HostEnvironment => {
    applyRoles(host, roles);
    if (sysmon) applySysmon(host, sysmon);
    if (collectors) applyCollectors(host, collectors);
    env.hostCount++;
    return host;
  };

  for (const host of baseHosts(inputs, catalog, snaps as Sink, gp as Sink, names)) {
    if (hold) {
      held.push(host);
      continue;
    }
    for (const a of byKey.get(host.name) ?? []) mergeAuditpol(host, a, catalog);
    byKey.delete(host.name);
    yield finish(host);
  }

  // Exports naming a computer no snapshot or gpresult names are hosts of their own (two computers are never
  // merged: a readiness made of one host's GPOs and another's audit policy is nobody's).
  const own = new Map<string, HostEnvironment>();
  for (const a of auditpols) {
    if (!hold && !byKey.has(a.key)) continue; // merged above
    let host = hold ? (held.find((h) => h.name === a.key) ?? own.get(a.key)) : own.get(a.key);
    if (!host && !a.key && held.length + own.size === 1) {
      host = held[0] ?? [...own.values()][0];
    } else if (!host && a.key && names.size) {
      const first: string[] = [];
      for (const n of names) if (first.push(n) >= 3) break;
      const others = first.join(', ') + (names.size > 3 ? `, … ${names.size - 3} more` : '');
      env.identity.push(`auditpol ${basename(a.path)} names ${a.computer}, which no gpresult names (${others}): assessed as a host of its own`);
    }
    if (!host) {
      host = emptyHost(a.key || basename(a.path));
      own.set(hostKey(host.name), host);
      names.add(host.name);
    }
    mergeAuditpol(host, a, catalog);
  }
  for (const host of [...held, ...own.values()]) yield finish(host);
  for (const r of roles) {
    if (r.host && ![...names].some((n) => hostKey(n) === hostKey(r.host as string)))
      role?.errors.push({ path: '--role', message: `no host named ${r.host} among the inputs (${knownHosts(names)})` });
  }
  // Without any host, the Sysmon config (or else the collectors) describes one.
  if (!env.hostCount && (sysmon || collectors)) {
    const host = emptyHost(sysmon ? basename(sysmon.path).replace(/\.xml$/i, '') : 'collectors');
    if (sysmon) applySysmon(host, sysmon);
    if (collectors) applyCollectors(host, collectors);
    env.hostCount++;
    yield host;
  }
  for (const sink of [snaps, gp, ap, role, sys, coll] as Sink[]) {
    append(env.errors, sink.errors);
    append(env.missing, sink.missing);
  }
}

/** Snapshot and gpresult hosts, in argument order; a second host of the same name is told apart by its file. */
function* baseHosts(inputs: EnvironmentInputs, catalog: Catalog, snapSink: Sink, gpSink: Sink, names: Set<string>): Generator<HostEnvironment> {
  for (const arg of inputs.host ?? []) {
    let snaps;
    try {
      snaps = findSnapshots(arg, snapSink.errors);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') snapSink.missing.push(arg);
      else snapSink.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
      continue;
    }
    if (!snaps.length)
      snapSink.errors.push({
        path: arg,
        message: `no host snapshot here (a folder holding ${SNAPSHOT_NAMES.slice(0, 3).join(', ')} …, a .zip of one, or a folder of them)`,
      });
    for (const snap of snaps) {
      const host = hostFromSnapshot(snap, catalog, snapSink.errors);
      if (names.has(host.name)) host.name = `${host.name} (${basename(snap.path)})`;
      names.add(host.name);
      yield host;
    }
  }
  for (const path of expand(inputs.gpresult ?? [], /\.xml$/i, gpSink)) {
    const got = read(path, gpSink);
    if (got === undefined) continue;
    const { text } = got;
    const decoded = encodingNote(text, got.encoding);
    let settings;
    try {
      settings = parseGpresult(text, catalog);
    } catch (e) {
      gpSink.errors.push({ path, message: (e as Error).message });
      continue;
    }
    let name = hostKey(settings.computer) || basename(path).replace(/\.xml$/i, '');
    if (names.has(name)) name = `${name} (${basename(path)})`;
    const host = emptyHost(name);
    host.files.push(path);
    if (decoded) host.notes.push(`gpresult ${basename(path)}: ${decoded}`);
    applyGpresult(host, settings, `gpresult ${basename(path)}`, catalog);
    names.add(name);
    yield host;
  }
  const gpos = readGpos(inputs.gpo ?? [], catalog, gpSink);
  if (gpos.length) {
    const host = hostFromGpos(gpos, catalog);
    names.add(host.name);
    yield host;
  }
}

/** Every --gpo argument's GPOs, in the order given (= link order). */
function readGpos(args: string[], catalog: Catalog, sink: Sink): GpoInput[] {
  const out: GpoInput[] = [];
  for (const arg of args) {
    try {
      append(out, readGpoArgument(arg, catalog, sink.errors));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') sink.missing.push(arg);
      else sink.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
    }
  }
  return out;
}

interface AuditpolInput {
  path: string;
  computer: string;
  key: string;
  parsed: AuditpolSettings;
}

function readAuditpols(args: string[], catalog: Catalog, sink: Sink): AuditpolInput[] {
  const out: AuditpolInput[] = [];
  for (const path of expand(args, /\.(csv|txt)$/i, sink)) {
    const text = read(path, sink)?.text;
    if (text === undefined) continue;
    try {
      const parsed = parseAuditpol(text, catalog);
      out.push({ path, computer: parsed.computer, key: hostKey(parsed.computer), parsed });
    } catch (e) {
      sink.errors.push({ path, message: (e as Error).message });
    }
  }
  return out;
}

function mergeAuditpol(host: HostEnvironment, a: AuditpolInput, catalog: Catalog): void {
  host.files.push(a.path);
  append(
    host.notes,
    a.parsed.notes.map((n) => `auditpol ${basename(a.path)} ${n}`),
  );
  applyAuditpol(host, a.parsed, `auditpol ${basename(a.path)}`, catalog);
}

/** One Sysmon configuration applies to every host (it is deployed fleet-wide): the first one given. */
function readSysmon(args: string[], catalog: Catalog, sink: Sink): SysmonConfig | undefined {
  const configs: SysmonConfig[] = [];
  for (const path of expand(args, /\.xml$/i, sink)) {
    const text = read(path, sink)?.text;
    if (text === undefined) continue;
    try {
      configs.push(parseSysmonConfig(path, text, catalog));
    } catch (e) {
      sink.errors.push({ path, message: (e as Error).message });
    }
  }
  if (configs.length > 1) {
    sink.errors.push({
      path: configs
        .slice(1)
        .map((c) => c.path)
        .join(', '),
      message: `only one Sysmon configuration can apply to the hosts; ${configs[0]?.path} is used`,
    });
  }
  return configs[0];
}

function applySysmon(host: HostEnvironment, config: SysmonConfig): void {
  if (host.sysmon && host.sysmon.path !== config.path) host.conflicts.push(`Sysmon: the snapshot has ${host.sysmon.path}, --sysmon ${config.path} is used`);
  host.sysmon = config;
  host.files.push(config.path);
  append(
    host.notes,
    config.notes.map((n) => `sysmon ${basename(config.path)}: ${n}`),
  );
}

interface Collected {
  set: ForwardedSet;
  used: string[];
  notes: string[];
}

/** Every collector config adds to one forwarded set, which applies to every host. */
function readCollectors(inputs: EnvironmentInputs, catalog: Catalog, sink: Sink): Collected | undefined {
  const set: ForwardedSet = new Map();
  const used: string[] = [];
  const notes: string[] = [];
  const splunk: { path: string; content: string }[] = [];
  // sentinel-all / -common / -minimal name Sentinel's event sets (data/sentinel-event-sets.yaml), unless a file of that name exists.
  const pseudo = (inputs.collector ?? []).filter((a) => isSentinelSet(a) && !existsSync(a));
  for (const name of pseudo) {
    try {
      notes.push(`${name}: ${addSentinelSet(set, name)} (data/sentinel-event-sets.yaml)`);
      used.push(name);
    } catch (e) {
      sink.errors.push({ path: name, message: (e as Error).message });
    }
  }
  // A Splunk etc/ folder stands for its inputs.conf layers (system/, apps/<app>/local|default).
  const args = (inputs.collector ?? []).filter((a) => !pseudo.includes(a)).flatMap((a) => splunkEtcInputs(a) ?? [a]);
  for (const path of expand(args, /\.(xml|conf|ya?ml|json)$/i, sink)) {
    const text = read(path, sink)?.text;
    if (text === undefined) continue;
    const format = inputs.collectorFormat ?? detectFormat(path, text);
    // A folder of collector configs may hold other JSON (exports, notes): read since DCRs are JSON, skipped when not one.
    if (!format && /\.json$/i.test(path) && !(inputs.collector ?? []).includes(path)) {
      notes.push(`${path}: JSON that is neither an Azure Monitor DCR nor an Elastic Agent policy; skipped`);
      continue;
    }
    if (!format) {
      sink.errors.push({
        path,
        message:
          'not a collector configuration logsource-check knows (WEF subscription, QueryList, nxlog.conf, winlogbeat.yml, Splunk inputs.conf, Azure Monitor DCR, Elastic Agent policy); use --collector-format',
      });
      continue;
    }
    if (format === 'splunk') {
      // Splunk merges all its inputs.conf files before it reads them: read together, after the loop.
      splunk.push({ path, content: text });
      continue;
    }
    try {
      append(notes, readCollector(path, text, format, set, catalog).notes);
      used.push(path);
    } catch (e) {
      sink.errors.push({ path, message: `${format}: ${(e as Error).message}` });
    }
  }
  if (splunk.length) {
    readSplunkInputs(splunk, set, notes);
    append(
      used,
      splunk.map((f) => f.path),
    );
  }
  return used.length ? { set, used, notes } : undefined;
}

function applyCollectors(host: HostEnvironment, c: Collected): void {
  host.forwarded = c.set;
  host.forwardedFrom = c.used.join(', ');
  append(host.files, c.used);
  append(host.notes, c.notes);
}

/** Files named directly, plus matching files in named directories (one level: a fleet's export folder). */
function expand(args: string[], ext: RegExp, env: Sink): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') env.missing.push(arg);
      else env.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
      continue;
    }
    if (!st.isDirectory()) {
      out.push(arg);
      continue;
    }
    try {
      for (const name of readdirSync(arg).sort()) if (ext.test(name)) out.push(join(arg, name));
    } catch (e) {
      env.errors.push({ path: arg, message: `cannot read directory: ${errnoMessage(e)}` });
    }
  }
  return out;
}

function read(path: string, env: Sink): { text: string; encoding: TextEncoding } | undefined {
  try {
    return readTextAs(path, MAX_INPUT_FILE);
  } catch (e) {
    env.errors.push({ path, message: e instanceof TooLargeError ? e.message : `cannot read file: ${errnoMessage(e)}` });
    return undefined;
  }
}

/** The hosts the inputs name, for a --role that names none of them: ten at most, sorted, then a count. */
function knownHosts(names: Set<string>): string {
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  if (!sorted.length) return 'none';
  return `known: ${sorted.slice(0, 10).join(', ')}${sorted.length > 10 ? `, … ${sorted.length - 10} more` : ''}`;
}
