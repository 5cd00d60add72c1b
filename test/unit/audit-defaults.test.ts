/**
 * Windows' default audit policy (data/baselines/windows-default.yaml) under --assume-defaults: a gpresult that
 * sets no audit policy gives each subcategory its documented default for the host's edition; disputed rows and
 * hosts of unknown edition stay unknown where the editions differ; `baseline --list` lists windows-default-*.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadBaselines } from '../../src/catalog/baselines.js';
import { loadEnvironment } from '../../src/environment/load.js';
import { requirementState } from '../../src/assess/verdict.js';
import { auditDefault } from '../../src/assess/audit-defaults.js';
import { emptyHost, type HostEnvironment } from '../../src/environment/model.js';
import { runCli } from '../helpers.js';
import { compareHost } from '../../src/assess/baseline.js';

const catalog = loadCatalog();
const GPRESULT = fileURLToPath(new URL('../fixtures/environment/gpresult-ps7.xml', import.meta.url));
const G = {
  logon: '{0CCE9215-69AE-11D9-BED3-505054503030}',
  credVal: '{0CCE923F-69AE-11D9-BED3-505054503030}',
  process: '{0CCE922B-69AE-11D9-BED3-505054503030}',
  userAcct: '{0CCE9235-69AE-11D9-BED3-505054503030}',
  otherSys: '{0CCE9214-69AE-11D9-BED3-505054503030}',
  pnp: '{0CCE9248-69AE-11D9-BED3-505054503030}',
  dsAccess: '{0CCE923B-69AE-11D9-BED3-505054503030}',
};

/** The host the gpresult (no audit policy in it) describes, stated to be of this kind with --role. */
function gpresultHost(role?: string): HostEnvironment {
  const env = loadEnvironment({ gpresult: [GPRESULT], ...(role ? { roles: [role] } : {}) }, catalog);
  expect(env.errors).toEqual([]);
  expect(env.hosts).toHaveLength(1);
  return env.hosts[0] as HostEnvironment;
}
const state = (h: HostEnvironment, id: string, assume = true) => requirementState(id, h, catalog, { assumeDefaults: assume });

describe('the data', () => {
  const list = loadBaselines(catalog);
  const b = (n: string) => list.find((x) => x.name === n);
  it('ships windows-default-client, -server and -dc, sourced to Microsoft Audit Policy Recommendations', () => {
    for (const n of ['windows-default-client', 'windows-default-server', 'windows-default-dc']) {
      expect(b(n)?.source).toContain('audit-policy-recommendations');
      expect(b(n)?.audit.length).toBe(59);
    }
    expect(b('windows-default-client')?.role).toBe('workstation');
    expect(b('windows-default-server')?.role).toBe('member-server');
  });
  it('Logon is Success and Failure (1809 footnote), Process Creation off, User Account Management Success only', () => {
    const c = b('windows-default-client')!;
    const row = (g: string) => c.audit.find((a) => a.guid === g);
    expect(row(G.logon)).toMatchObject({ success: 'on', failure: 'on' });
    expect(row(G.logon)?.note).toMatch(/1809/);
    expect(row(G.process)).toMatchObject({ success: 'off', failure: 'off' });
    expect(row(G.userAcct)).toMatchObject({ success: 'on', failure: 'off' });
  });
  it('servers audit Credential Validation / Kerberos / Computer Account Management / DS Access Success, clients not (captures; Microsoft disagrees, noted)', () => {
    for (const g of [G.credVal, G.dsAccess]) {
      const s = b('windows-default-server')!.audit.find((a) => a.guid === g);
      const c = b('windows-default-client')!.audit.find((a) => a.guid === g);
      expect(s).toMatchObject({ success: 'on', failure: 'off' });
      expect(c).toMatchObject({ success: 'off', failure: 'off' });
      expect(s?.note).toMatch(/Microsoft's page: .*captures used/);
    }
  });
  it('every row equals the real auditpol listings of an unconfigured Windows 11 Pro and Server 2022 (fixtures)', () => {
    const parse = (f: string) => {
      const out = new Map<string, { success: boolean; failure: boolean }>();
      for (const line of readFileSync(fileURLToPath(new URL(`../fixtures/real/auditpol-defaults/${f}`, import.meta.url)), 'utf8').split(/\r?\n/)) {
        const m = /^\[\*\] {3}(\S.*?) {2,}(Success and Failure|Success|Failure|No Auditing)\s*$/.exec(line);
        if (m) out.set(m[1]!.toLowerCase(), { success: /Success/.test(m[2]!), failure: /Failure/.test(m[2]!) });
      }
      return out;
    };
    const cases: [string, string][] = [
      ['windows-default-client', 'chaps-Win11Pro-Dev-cmd-audit.txt'],
      ['windows-default-server', 'chaps-WinServer2022-Dev-cmd-audit.txt'],
    ];
    for (const [name, file] of cases) {
      const cap = parse(file);
      expect(cap.size).toBeGreaterThanOrEqual(59);
      for (const a of b(name)!.audit) {
        const sub = catalog.subcategory(a.guid)!;
        const v = cap.get(sub.auditpolName.toLowerCase());
        expect(v, `${name} ${sub.auditpolName}`).toBeDefined();
        expect({ success: a.success, failure: a.failure }, `${name} ${sub.auditpolName}`).toEqual({
          success: v!.success ? 'on' : 'off',
          failure: v!.failure ? 'on' : 'off',
        });
      }
    }
  });
});

describe('--assume-defaults with a gpresult that sets no audit policy', () => {
  it('without --assume-defaults the subcategories stay unknown', () => {
    const h = gpresultHost('workstation');
    expect(state(h, `audit:${G.logon}:success`, false).state).toBe('unknown');
  });
  it('workstation (client): Logon S+F on, Process Creation off, Credential Validation off — each said assumed', () => {
    const h = gpresultHost('workstation');
    const logonF = state(h, `audit:${G.logon}:failure`);
    expect(logonF).toMatchObject({ state: 'on', assumed: true });
    expect(logonF.reason).toMatch(/assumed Windows default: Failure on by default on a client/);
    expect(state(h, `audit:${G.process}:success`)).toMatchObject({ state: 'off', assumed: true });
    expect(state(h, `audit:${G.credVal}:success`)).toMatchObject({ state: 'off', assumed: true });
    expect(state(h, `audit:${G.otherSys}:failure`)).toMatchObject({ state: 'on', assumed: true });
  });
  it('server: Logon on, Process Creation off as on clients, but Credential Validation Success on (servers differ)', () => {
    const h = gpresultHost('server');
    expect(state(h, `audit:${G.logon}:success`)).toMatchObject({ state: 'on', assumed: true });
    expect(state(h, `audit:${G.process}:success`)).toMatchObject({ state: 'off', assumed: true });
    const cv = state(h, `audit:${G.credVal}:success`);
    expect(cv).toMatchObject({ state: 'on', assumed: true });
    expect(cv.reason).toMatch(/on by default on a server/);
    expect(state(h, `audit:${G.credVal}:failure`)).toMatchObject({ state: 'off', assumed: true });
  });
  it('a subcategory the data does not hold is never assumed', () => {
    const h = emptyHost('X');
    h.role = { kind: 'workstation', features: new Set(), complete: false, source: 'test' };
    const d = auditDefault('{00000000-0000-0000-0000-000000000000}', 'success', h, catalog);
    expect(d.on).toBeUndefined();
    expect(d.reason).toMatch(/not documented/);
  });
  it('edition unknown (joined member, no --role): assumed only where client and server agree', () => {
    const h = gpresultHost();
    expect(h.role?.kind === 'workstation' || h.role?.kind === 'member-server').toBe(false);
    expect(state(h, `audit:${G.logon}:success`)).toMatchObject({ state: 'on', assumed: true });
    expect(state(h, `audit:${G.process}:success`)).toMatchObject({ state: 'off', assumed: true });
    const ds = state(h, `audit:${G.dsAccess}:success`);
    expect(ds.state).toBe('unknown');
    expect(ds.reason).toMatch(/differs between client and server or is disputed/);
  });
  it('PNP Activity (not on the Microsoft page) is off by default per the captures', () => {
    const h = gpresultHost('workstation');
    expect(state(h, `audit:${G.pnp}:success`)).toMatchObject({ state: 'off', assumed: true });
  });
  it('an input that names the subcategory wins over the default', () => {
    const h = emptyHost('X');
    h.covers.audit = true;
    h.role = { kind: 'workstation', features: new Set(), complete: false, source: 'test' };
    h.audit.set(G.logon, { success: false, failure: false, source: 'auditpol x.csv' });
    expect(state(h, `audit:${G.logon}:success`)).toMatchObject({ state: 'off', reason: 'auditpol x.csv' });
  });
  it('auditDefault maps domain controllers to the server values', () => {
    const h = emptyHost('DC1');
    h.role = { kind: 'domain-controller', features: new Set(), complete: false, source: 'test' };
    expect(auditDefault(G.logon, 'failure', h, catalog)).toMatchObject({ on: true });
    expect(auditDefault(G.credVal, 'success', h, catalog).on).toBe(true);
  });
});

describe('baseline compare (baseline NAME --gpresult … --assume-defaults)', () => {
  const client = loadBaselines(catalog).find((b) => b.name === 'microsoft-client')!;
  it('sides no input names take the client default: Logon meets, Process Creation missing (off by default)', () => {
    const h = gpresultHost('workstation');
    const plain = compareHost(client, h, catalog);
    const logon = (c: typeof plain) => c.settings.find((s) => s.key === G.logon);
    expect(logon(plain)?.status).toBe('unknown');
    const assumed = compareHost(client, h, catalog, { assumeDefaults: true });
    expect(logon(assumed)).toMatchObject({ status: 'meets', have: 'Success and Failure' });
    expect(logon(assumed)?.detail).toMatch(/assumed Windows default/);
    expect(assumed.settings.find((s) => s.key === G.process)?.status).toBe('missing');
  });
});

describe('CLI', () => {
  it('baseline --list lists the windows-default baselines', () => {
    const r = runCli(['baseline', '--list']);
    expect(r.status).toBe(0);
    for (const n of ['windows-default-client', 'windows-default-server', 'windows-default-dc']) expect(r.stdout).toContain(n);
  });
});
