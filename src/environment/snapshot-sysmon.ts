/**
 * The Sysmon part of a host snapshot: sysmon-service.txt (sc, the publisher's binary, fltmc), sysmon.txt (`sysmon -c`)
 * and sysmon-config.xml — installed, running, which Sysmon, and with which filters (snapshot.ts calls it once the
 * channels are read, which the cross-check needs).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import type { HostEnvironment, InputError } from './model.js';
import { parseScOutput, parseSysmonDashC } from './services.js';
import { addNotes } from './model.js';
import { crossCheckChannel, findSysmonService, parseSysmonExtras } from './sysmon-install.js';
import { parseSysmonConfig, type SysmonConfig } from './sysmon.js';

const configs = new Map<string, SysmonConfig>();

/** sc query / sysmon -c / the config XML: installed, running, and with which filters. */
export function readSysmon(host: HostEnvironment, snap: { path: string; files: Map<string, string> }, catalog: Catalog, errors: InputError[]): void {
  const sc = snap.files.get('sysmon-service.txt');
  const dashC = snap.files.get('sysmon.txt');
  const dc = dashC !== undefined ? parseSysmonDashC(dashC) : undefined;
  const version = dc?.version;
  if (dc) addNotes(host, 'sysmon.txt', dc.notes);
  if (sc !== undefined) {
    const set = parseScOutput(sc);
    addNotes(host, 'sysmon-service.txt', set.notes);
    const facts = catalog.channelFacts.sysmon;
    const extras = parseSysmonExtras(sc, facts);
    const found = findSysmonService(set, extras, facts, dc?.configFile);
    const svc = found.svc;
    if (svc) {
      const state = svc.state === 'RUNNING' ? 'running' : svc.state ? 'stopped' : 'installed';
      host.sysmonService = {
        state,
        source: `sysmon-service.txt: ${svc.name} ${svc.state ?? ''}`.trim() + ` (${found.how})`,
        version,
        ...(found.builtin ? { builtin: true } : {}),
      };
    } else if (found.absent) {
      host.sysmonService = {
        state: 'absent',
        source: `sysmon-service.txt: the ${facts.publisher} publisher is not registered (wevtutil gp)${extras.minifilter === null ? ` and no minifilter is at Sysmon's altitude ${facts.altitude} (fltmc)` : ''}`,
      };
    } else if (found.defaultsAbsent) {
      // Only the default names were queried (an older collection script): a renamed Sysmon is not ruled out.
      // The channel list decides: a full list without the Sysmon channel proves it absent.
      const ch = host.channels;
      const c = ch?.list.get('microsoft-windows-sysmon/operational');
      const names = facts.defaultServices.join(', ');
      if (ch?.complete && (!c || !c.exists))
        host.sysmonService = {
          state: 'absent',
          source: `sysmon-service.txt: none of ${names} is an installed service, and ${ch.source} has no Sysmon channel`,
        };
      else if (c?.exists && c.enabled) host.sysmonService = { state: 'absent', source: `sysmon-service.txt: none of ${names} is an installed service` };
      else
        host.sysmonService = {
          state: 'unknown',
          source: `sysmon-service.txt: none of ${names} is an installed service, but a Sysmon installed under another name is not ruled out (the current collection script reads the Sysmon publisher and minifilter: re-run it)`,
        };
    }
    crossCheckChannel(host);
  }
  const xml = snap.files.get('sysmon-config.xml');
  if (xml !== undefined && host.sysmonService?.state !== 'absent') {
    try {
      // A fleet deploys a few configs to many hosts: one parse (and one simulation) per distinct config text.
      const key = createHash('sha1').update(xml).digest('hex');
      let config = configs.get(key);
      if (!config) {
        config = parseSysmonConfig(join(snap.path, 'sysmon-config.xml'), xml, catalog);
        if (configs.size > 256) configs.clear();
        configs.set(key, config);
      }
      host.sysmon = config;
      addNotes(host, 'sysmon-config.xml', host.sysmon.notes);
    } catch (e) {
      errors.push({ path: join(snap.path, 'sysmon-config.xml'), message: (e as Error).message });
    }
  }
}
