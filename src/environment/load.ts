import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { decodeText, MAX_INPUT_FILE, readBounded, TooLargeError } from '../decode.js';
import { errnoMessage } from '../rules/files.js';
import { parseAuditpol, type AuditpolSettings } from './auditpol.js';
import { applyAuditpol, applyGpresult } from './merge.js';
import { parseGpresult } from './gpresult.js';
import { parseSysmonConfig, type SysmonConfig } from './sysmon.js';
import { detectFormat, readCollector, type CollectorFormat } from './collectors.js';
import type { ForwardedSet } from './forwarded.js';
import { emptyHost, hostKey, type HostEnvironment, type InputError } from './model.js';
import { findSnapshots, hostFromSnapshot, SNAPSHOT_NAMES } from './snapshot.js';

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
}

export interface Environment {
  hosts: HostEnvironment[];
  errors: InputError[];
  /** Arguments that do not exist: the invocation is unusable. */
  missing: string[];
  /** Inputs naming different computers, kept apart as separate hosts: said in every report. */
  identity: string[];
}

export function hasEnvironmentInputs(i: EnvironmentInputs): boolean {
  return Boolean(i.host?.length || i.gpresult?.length || i.auditpol?.length || i.sysmon?.length || i.collector?.length);
}

/** Reads every environment input; one host per gpresult file, auditpol files merged into the matching host. */
export function loadEnvironment(inputs: EnvironmentInputs, catalog: Catalog): Environment {
  const env: Environment = { hosts: [], errors: [], missing: [], identity: [] };
  const byKey = new Map<string, HostEnvironment>();

  for (const arg of inputs.host ?? []) {
    let snaps;
    try {
      snaps = findSnapshots(arg, env.errors);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') env.missing.push(arg);
      else env.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
      continue;
    }
    if (!snaps.length) env.errors.push({ path: arg, message: `no host snapshot here (a folder holding ${SNAPSHOT_NAMES.slice(0, 3).join(', ')} …, a .zip of one, or a folder of them)` });
    for (const snap of snaps) {
      const host = hostFromSnapshot(snap, catalog, env.errors);
      if (byKey.has(host.name)) host.name = `${host.name} (${basename(snap.path)})`;
      byKey.set(host.name, host);
      env.hosts.push(host);
    }
  }

  for (const path of expand(inputs.gpresult ?? [], /\.xml$/i, env)) {
    const text = read(path, env);
    if (text === undefined) continue;
    let settings;
    try {
      settings = parseGpresult(text, catalog);
    } catch (e) {
      env.errors.push({ path, message: (e as Error).message });
      continue;
    }
    let name = hostKey(settings.computer) || basename(path).replace(/\.xml$/i, '');
    if (byKey.has(name)) name = `${name} (${basename(path)})`;
    const host = emptyHost(name);
    host.files.push(path);
    applyGpresult(host, settings, `gpresult ${basename(path)}`, catalog);
    byKey.set(name, host);
    env.hosts.push(host);
  }

  for (const path of expand(inputs.auditpol ?? [], /\.(csv|txt)$/i, env)) {
    const text = read(path, env);
    if (text === undefined) continue;
    let parsed: AuditpolSettings;
    try {
      parsed = parseAuditpol(text, catalog);
    } catch (e) {
      env.errors.push({ path, message: (e as Error).message });
      continue;
    }
    const key = hostKey(parsed.computer);
    let host = byKey.get(key);
    if (!host && !key && env.hosts.length === 1) {
      // An export without a machine name (a GPO backup audit.csv) beside one gpresult: that host's.
      host = env.hosts[0] as HostEnvironment;
    } else if (!host && key && env.hosts.length) {
      // Two computers are never merged: a readiness made of one host's GPOs and another's audit policy is nobody's.
      const others = env.hosts.slice(0, 3).map((h) => h.name).join(', ') + (env.hosts.length > 3 ? `, … ${env.hosts.length - 3} more` : '');
      env.identity.push(`auditpol ${basename(path)} names ${parsed.computer}, which no gpresult names (${others}): assessed as a host of its own`);
    }
    if (!host) {
      host = emptyHost(key || basename(path));
      byKey.set(hostKey(host.name), host);
      env.hosts.push(host);
    }
    host.files.push(path);
    host.notes.push(...parsed.notes.map((n) => `auditpol ${basename(path)} ${n}`));
    applyAuditpol(host, parsed, `auditpol ${basename(path)}`, catalog);
  }
  applyRoles(inputs.roles ?? [], env);

  const configs: SysmonConfig[] = [];
  for (const path of expand(inputs.sysmon ?? [], /\.xml$/i, env)) {
    const text = read(path, env);
    if (text === undefined) continue;
    try {
      configs.push(parseSysmonConfig(path, text, catalog));
    } catch (e) {
      env.errors.push({ path, message: (e as Error).message });
    }
  }
  if (configs.length > 1) {
    env.errors.push({ path: configs.slice(1).map((c) => c.path).join(', '), message: `only one Sysmon configuration can apply to the hosts; ${configs[0]?.path} is used` });
  }
  const config = configs[0];
  if (config) {
    if (!env.hosts.length) env.hosts.push(emptyHost(basename(config.path).replace(/\.xml$/i, '')));
    for (const host of env.hosts) {
      if (host.sysmon && host.sysmon.path !== config.path) host.conflicts.push(`Sysmon: the snapshot has ${host.sysmon.path}, --sysmon ${config.path} is used`);
      host.sysmon = config;
      host.files.push(config.path);
      host.notes.push(...config.notes.map((n) => `sysmon ${basename(config.path)}: ${n}`));
    }
  }
  readCollectors(inputs, catalog, env);
  return env;
}

/** Every collector config adds to one forwarded set, which applies to every host. */
function readCollectors(inputs: EnvironmentInputs, catalog: Catalog, env: Environment): void {
  const set: ForwardedSet = new Map();
  const used: string[] = [];
  const notes: string[] = [];
  for (const path of expand(inputs.collector ?? [], /\.(xml|conf|ya?ml)$/i, env)) {
    const text = read(path, env);
    if (text === undefined) continue;
    const format = inputs.collectorFormat ?? detectFormat(path, text);
    if (!format) {
      env.errors.push({ path, message: 'not a collector configuration logsource-check knows (WEF subscription, QueryList, nxlog.conf, winlogbeat.yml); use --collector-format' });
      continue;
    }
    try {
      notes.push(...readCollector(path, text, format, set, catalog).notes);
      used.push(path);
    } catch (e) {
      env.errors.push({ path, message: `${format}: ${(e as Error).message}` });
    }
  }
  if (!used.length) return;
  if (!env.hosts.length) env.hosts.push(emptyHost('collectors'));
  for (const host of env.hosts) {
    host.forwarded = set;
    host.forwardedFrom = used.join(', ');
    host.files.push(...used);
    host.notes.push(...notes);
  }
}

/** Role words of --role: the host kind and the server roles the catalog restricts events to. */
const ROLE_WORDS: Record<string, { kind?: NonNullable<HostEnvironment['role']>['kind']; feature?: string }> = {
  dc: { kind: 'domain-controller' },
  'domain-controller': { kind: 'domain-controller' },
  workstation: { kind: 'workstation' },
  client: { kind: 'workstation' },
  server: { kind: 'member-server' },
  'member-server': { kind: 'member-server' },
  ca: { feature: 'certification-authority' },
  'certification-authority': { feature: 'certification-authority' },
  nps: { feature: 'network-policy-server' },
  'network-policy-server': { feature: 'network-policy-server' },
  dns: { feature: 'dns-server' },
  'dns-server': { feature: 'dns-server' },
  iis: { feature: 'iis' },
  exchange: { feature: 'exchange' },
  adfs: { feature: 'adfs' },
};

/** Parses one --role value ("dc,dns" or "WS-0142=workstation"); throws with the offending word. */
export function parseRoleOption(value: string): { host?: string; kind?: NonNullable<HostEnvironment['role']>['kind']; features: string[] } {
  const eq = value.indexOf('=');
  const host = eq >= 0 ? value.slice(0, eq).trim() : undefined;
  const words = (eq >= 0 ? value.slice(eq + 1) : value).split(',').map((w) => w.trim().toLowerCase()).filter(Boolean);
  if (!words.length || host === '') throw new Error(`--role "${value}": expected [HOST=]ROLE[,ROLE…]`);
  let kind: NonNullable<HostEnvironment['role']>['kind'];
  const features: string[] = [];
  for (const w of words) {
    const r = ROLE_WORDS[w];
    if (!r) throw new Error(`--role "${value}": unknown role "${w}" (known: ${Object.keys(ROLE_WORDS).join(', ')})`);
    if (r.kind) kind = r.kind;
    if (r.feature) features.push(r.feature);
  }
  return { host, kind, features };
}

/** Stated roles replace what gpresult suggests; a disagreement is reported as a conflict. */
function applyRoles(values: string[], env: Environment): void {
  for (const value of values) {
    const r = parseRoleOption(value);
    const targets = r.host ? env.hosts.filter((h) => hostKey(h.name) === hostKey(r.host as string)) : env.hosts;
    if (r.host && !targets.length) env.errors.push({ path: '--role', message: `no host named ${r.host} among the inputs (${env.hosts.map((h) => h.name).join(', ') || 'none'})` });
    for (const h of targets) {
      const prev = h.role;
      if (prev?.kind && r.kind && prev.kind !== r.kind && !(prev.kind === 'member' && r.kind !== 'domain-controller')) {
        h.conflicts.push(`role: ${prev.source} says ${prev.kind}, --role says ${r.kind} (--role wins)`);
      }
      h.role = { kind: r.kind ?? prev?.kind, features: new Set(r.features), complete: true, source: `--role ${value}` };
    }
  }
}

/** Files named directly, plus matching files in named directories (one level: a fleet's export folder). */
function expand(args: string[], ext: RegExp, env: Environment): string[] {
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

function read(path: string, env: Environment): string | undefined {
  try {
    return decodeText(readBounded(path, MAX_INPUT_FILE));
  } catch (e) {
    env.errors.push({ path, message: e instanceof TooLargeError ? e.message : `cannot read file: ${errnoMessage(e)}` });
    return undefined;
  }
}
