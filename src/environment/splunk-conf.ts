/**
 * Splunk .conf files (inputs.conf) and `splunk btool inputs list --debug` output → stanzas of settings, and
 * several files merged the way Splunk's configuration precedence does (data/collectors.yaml `splunk`).
 * Nothing here throws on bad text: lines it does not understand become notes.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LIMITS } from '../limits.js';

export interface ConfSetting {
  /** The key as written (Splunk keys are case-sensitive; lookups here are not, see `get`). */
  key: string;
  value: string;
  /** First and last line (0-based) of the setting in its file: a value can continue over lines ending in "\". */
  first: number;
  last: number;
}

export interface ConfStanza {
  /** The name between the brackets; settings before any header belong to "default". */
  name: string;
  /** Line of the header (-1: the implicit default stanza at the top of the file). */
  line: number;
  settings: ConfSetting[];
}

export interface ConfFile {
  path: string;
  stanzas: ConfStanza[];
  /** The text was `btool --debug` output: each line prefixed by the file it comes from, already merged. */
  btool: boolean;
  notes: string[];
}

/** A btool --debug line: the path of a .conf file, spaces, then the line of that file. */
const BTOOL_LINE = /^((?:[A-Za-z]:[\\/]|\/|\\\\)[^\r\n]*?[\\/][^\\/\r\n]+\.conf)\s+(.*)$/;

export function isBtool(lines: string[]): boolean {
  const real = lines.filter((l) => l.trim());
  return real.length > 0 && real.filter((l) => BTOOL_LINE.test(l)).length >= real.length * 0.9;
}

export function parseConf(path: string, text: string): ConfFile {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const btool = isBtool(raw);
  const lines = btool ? raw.map((l) => BTOOL_LINE.exec(l)?.[2] ?? l) : raw;
  const file: ConfFile = { path, stanzas: [], btool, notes: [] };
  let cur: ConfStanza = { name: 'default', line: -1, settings: [] };
  file.stanzas.push(cur);
  for (let i = 0; i < lines.length; i++) {
    if (file.stanzas.length > LIMITS.collector.confStanzas) {
      file.notes.push(`${path}: more than ${LIMITS.collector.confStanzas} stanzas; the rest of the file is not read`);
      break;
    }
    const line = (lines[i] as string).trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      cur = { name: (header[1] as string).trim(), line: i, settings: [] };
      file.stanzas.push(cur);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      if (file.notes.length < LIMITS.notesPerFile) file.notes.push(`${path} line ${i + 1}: not a setting or a stanza header: ${line.slice(0, 120)}`);
      continue;
    }
    // A value continues on the next line while the line ends in a backslash (inputs.conf.spec, general format).
    let value = line.slice(eq + 1).trim();
    const first = i;
    while (value.endsWith('\\') && i + 1 < lines.length) {
      i++;
      value = `${value.slice(0, -1)}\n${(lines[i] as string).trim()}`;
    }
    cur.settings.push({ key: line.slice(0, eq).trim(), value, first, last: i });
  }
  return file;
}

/** The value of a key in a stanza; the last definition wins, keys compared without case. */
export function get(stanza: ConfStanza | undefined, key: string): ConfSetting | undefined {
  const k = key.toLowerCase();
  let found: ConfSetting | undefined;
  for (const s of stanza?.settings ?? []) if (s.key.toLowerCase() === k) found = s;
  return found;
}

/**
 * Splunk's precedence in the global context (where inputs are read): system/local, then app local folders,
 * then app default folders, then system/default; among apps, lexicographic order of the app folder names
 * (an app named A wins over B). Returns the rank (higher wins) and the app name; undefined when the path
 * is not inside a Splunk etc/ tree.
 */
export function precedence(path: string): { rank: number; app: string } | undefined {
  const p = path.replace(/\\/g, '/').toLowerCase();
  if (/(^|\/)etc\/system\/local\/[^/]+$/.test(p)) return { rank: 4, app: '' };
  if (/(^|\/)etc\/system\/default\/[^/]+$/.test(p)) return { rank: 1, app: '' };
  const app = /(^|\/)etc\/(?:apps|slave-apps|peer-apps)\/([^/]+)\/(local|default)\/[^/]+$/.exec(p);
  if (app) return { rank: app[3] === 'local' ? 3 : 2, app: app[2] as string };
  return undefined;
}

export interface Merged {
  /** Stanza name → key (lower case) → value and the file it came from. */
  stanzas: Map<string, Map<string, { value: string; path: string }>>;
  /** The files from lowest to highest precedence. */
  order: string[];
  notes: string[];
}

/**
 * Several files merged: a setting in a file of higher precedence replaces the same setting of the same
 * stanza in a file of lower precedence; other settings of the stanza stay. When a file's place cannot be
 * told from its path, the order given is used (later wins) and a note says so.
 */
export function mergeConf(files: ConfFile[]): Merged {
  const notes: string[] = [];
  const places = files.map((f) => precedence(f.path));
  let ordered = files;
  if (files.length > 1) {
    if (places.every((p) => p !== undefined) && !files.some((f) => f.btool)) {
      ordered = files
        .map((f, i) => ({ f, p: places[i]! }))
        // Lowest first. Among apps of one rank, the app that sorts first wins, so it is applied last.
        .sort((a, b) => a.p.rank - b.p.rank || (a.p.app < b.p.app ? 1 : a.p.app > b.p.app ? -1 : 0))
        .map((x) => x.f);
      notes.push(
        `splunk: ${files.length} inputs.conf files merged by Splunk's precedence (system/local > apps/*/local > apps/*/default > system/default), highest last: ${ordered.map((f) => f.path).join(', ')}`,
      );
    } else {
      const unknown = files.filter((f, i) => !places[i] || f.btool).map((f) => f.path);
      notes.push(
        `splunk: the place in Splunk's precedence of ${unknown.join(', ')} is not known from the path (btool output, or not under etc/system or etc/apps/<app>/local|default): the files are merged in the order given, a later file's setting replacing an earlier one's`,
      );
    }
  }
  const stanzas: Merged['stanzas'] = new Map();
  for (const f of ordered) {
    for (const st of f.stanzas) {
      const into = stanzas.get(st.name) ?? new Map<string, { value: string; path: string }>();
      for (const s of st.settings) into.set(s.key.toLowerCase(), { value: s.value, path: f.path });
      if (st.settings.length || st.line >= 0) stanzas.set(st.name, into);
    }
    for (const n of f.notes) notes.push(n);
  }
  return { stanzas, order: ordered.map((f) => f.path), notes };
}

/**
 * The inputs.conf files of a Splunk etc/ folder (system/local, system/default, apps/<app>/local|default), or
 * undefined when the folder is not one: `--collector $SPLUNK_HOME/etc` reads every layer.
 */
export function splunkEtcInputs(dir: string): string[] | undefined {
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  if (!isDir(join(dir, 'system')) && !isDir(join(dir, 'apps'))) return undefined;
  const out: string[] = [];
  const add = (p: string) => {
    try {
      if (statSync(p).isFile()) out.push(p);
    } catch {
      // absent: nothing to read
    }
  };
  for (const layer of ['local', 'default']) add(join(dir, 'system', layer, 'inputs.conf'));
  let apps: string[];
  try {
    apps = readdirSync(join(dir, 'apps')).sort();
  } catch {
    apps = [];
  }
  for (const app of apps.slice(0, LIMITS.collector.confStanzas)) for (const layer of ['local', 'default']) add(join(dir, 'apps', app, layer, 'inputs.conf'));
  return out;
}
