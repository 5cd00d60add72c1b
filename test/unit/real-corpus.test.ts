/**
 * Every file of the real-capture corpus (test/fixtures/real/, SOURCES.md) goes through the reader a user would
 * give it to — --gpresult, --auditpol, --gpo, or its place in a host snapshot — and either is read or gives one
 * error line naming it; the run goes on. Per-file expectations are in real-captures / real-findings /
 * real-auditpol / real-systeminfo / gpo tests; this one proves no file of the corpus is left out.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadEnvironment, type EnvironmentInputs } from '../../src/environment/load.js';
import { ROOT } from '../helpers.js';

const catalog = loadCatalog();
const REAL = join(ROOT, 'test/fixtures/real');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.md') ? [] : [p];
  });
}

/** A snapshot of the hand-written WS-0142 with one real file in the slot it would have. */
function inSnapshot(slot: string, file: string, header?: string): EnvironmentInputs {
  const dir = join(mkdtempSync(join(tmpdir(), 'lsc-corpus-')), 'HOST');
  cpSync(join(ROOT, 'test/fixtures/snapshot/WS-0142'), dir, { recursive: true });
  const body = readFileSync(file);
  writeFileSync(join(dir, slot), header ? Buffer.concat([Buffer.from(`${header}\r\n`), body]) : body);
  return { host: [dir] };
}

/** How each folder's files are given to the tool. */
const ROUTES: Record<string, (file: string) => EnvironmentInputs> = {
  gpresult: (f) => ({ gpresult: [f] }),
  auditpol: (f) => ({ auditpol: [f] }),
  'auditpol-backup': (f) => ({ auditpol: [f] }),
  'auditpol-defaults': (f) => ({ auditpol: [f] }),
  systeminfo: (f) => inSnapshot('systeminfo.txt', f),
  services: (f) => inSnapshot('sysmon-service.txt', f, /fltmc/.test(f) ? '==== fltmc filters' : `==== sc query ${/sysmon64/.test(f) ? 'sysmon64' : 'sysmon'}`),
  'sysmon-dashc': (f) => inSnapshot('sysmon.txt', f),
  wevtutil: (f) => inSnapshot('wevtutil-gl.txt', f),
  reg: (f) => inSnapshot('policies.reg', f),
};

describe('the real-capture corpus, file by file', () => {
  const all = files(REAL);
  const gpoFolders = readdirSync(join(REAL, 'gpo/t0x01-win11')).map((n) => join(REAL, 'gpo/t0x01-win11', n));

  it('holds at least 25 real files over every host-input kind with a real sample', () => {
    expect(all.length).toBeGreaterThanOrEqual(25);
    const kinds = new Set(all.map((f) => relative(REAL, f).split('/')[0]));
    expect([...kinds].sort()).toEqual([
      'auditpol',
      'auditpol-backup',
      'auditpol-defaults',
      'gpo',
      'gpresult',
      'reg',
      'services',
      'sysmon-dashc',
      'systeminfo',
      'wevtutil',
    ]);
  });

  for (const f of all.filter((p) => !relative(REAL, p).startsWith('gpo/'))) {
    const rel = relative(REAL, f);
    it(rel, () => {
      const route = ROUTES[rel.split('/')[0] as string];
      expect(route, `no route for ${rel}`).toBeDefined();
      const env = loadEnvironment(route!(f), catalog);
      expect(env.missing).toEqual([]);
      const mine = env.errors.filter((e) => e.path.endsWith(rel.split('/').pop() as string) || e.path.includes('HOST'));
      // Read, or one line naming the file (never a stack, never several lines).
      expect(mine.length, JSON.stringify(mine)).toBeLessThanOrEqual(1);
      if (env.hostCount === 0) expect(mine.length, `${rel}: neither read nor refused`).toBe(1);
      for (const e of mine) expect(e.message).not.toMatch(/\n/);
    });
  }

  for (const g of gpoFolders) {
    it(`gpo/${relative(join(REAL, 'gpo'), g)}`, () => {
      const env = loadEnvironment({ gpo: [g] }, catalog);
      expect(env.errors).toEqual([]);
      expect(env.hosts[0]?.name).toMatch(/^GPO: Windows 11 - /);
    });
  }
});
