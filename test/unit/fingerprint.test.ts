/**
 * Host fingerprints (src/assess/fingerprint.ts) decide which hosts of a fleet share one set of states and
 * verdicts. A print that missed a field would give one host another's verdicts — a false "ready" — so every
 * field is changed in turn here and must change the print; only names, files, notes, conflicts and the
 * sources quoted in reasons may not. Fixtures: the DC01 snapshot (every kind of input) and the gpresult files.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Assessor } from '../../src/assess/assess.js';
import { fingerprint } from '../../src/assess/fingerprint.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { loadEnvironment } from '../../src/environment/load.js';
import type { HostEnvironment } from '../../src/environment/model.js';
import { renderJson } from '../../src/report/json.js';
import { withReadiness } from '../../src/result/readiness.js';
import { buildResult } from '../../src/result/result.js';
import { resolveAll } from '../../src/requirements/resolve.js';
import { loadRules } from '../../src/rules/load.js';

const catalog = loadCatalog();
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const dc = () => {
  const env = loadEnvironment({ host: [fixture('snapshot/DC01')] }, catalog);
  expect(env.hosts).toHaveLength(1);
  return env.hosts[0] as HostEnvironment;
};

/** A deep copy that keeps the fleet-wide objects (Sysmon config, forwarded set) the same objects. */
function copy(h: HostEnvironment): HostEnvironment {
  const c = structuredClone({ ...h, sysmon: undefined, forwarded: undefined }) as HostEnvironment;
  for (const k of ['sysmon', 'forwarded'] as const) {
    if (k in h) Object.assign(c, { [k]: h[k] });
    else delete c[k];
  }
  return c;
}

type Edit = { path: string; apply: (h: HostEnvironment) => void };

/** One edit per leaf value, Map key and Set member of the host, outside the fields a print leaves out. */
function edits(h: HostEnvironment): Edit[] {
  const out: Edit[] = [];
  const change = (v: unknown): unknown =>
    typeof v === 'boolean' ? !v : typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}x` : v === undefined ? 'set' : v;
  const visit = (v: unknown, path: string, get: (h: HostEnvironment) => unknown): void => {
    if (v instanceof Map) {
      for (const [k, x] of v) {
        out.push({
          path: `${path} key ${String(k)}`,
          apply: (t) => {
            const m = get(t) as Map<unknown, unknown>;
            const val = m.get(k);
            m.delete(k);
            m.set(change(k), val);
          },
        });
        visit(x, `${path}[${String(k)}]`, (t) => (get(t) as Map<unknown, unknown>).get(k));
      }
    } else if (v instanceof Set) {
      for (const x of v)
        out.push({
          path: `${path} member ${String(x)}`,
          apply: (t) => {
            const s = get(t) as Set<unknown>;
            s.delete(x);
            s.add(change(x));
          },
        });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${path}[${i}]`, (t) => (get(t) as unknown[])[i]));
      out.push({
        path: `${path} length`,
        apply: (t) => {
          (get(t) as unknown[]).push('extra');
        },
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (['name', 'files', 'notes', 'conflicts', 'source', 'sysmon', 'forwarded'].includes(k)) continue;
        if (typeof x === 'object' && x !== null) visit(x, `${path}.${k}`, (t) => (get(t) as Record<string, unknown>)[k]);
        else
          out.push({
            path: `${path}.${k}`,
            apply: (t) => {
              const o = get(t) as Record<string, unknown>;
              o[k] = change(o[k]);
            },
          });
      }
    }
  };
  visit(h, 'host', (t) => t);
  return out;
}

describe('host fingerprint', () => {
  it('changes with every field that can decide a state', () => {
    const host = dc();
    const base = fingerprint(host);
    expect(fingerprint(copy(host))).toBe(base);
    const all = edits(host);
    expect(all.length).toBeGreaterThan(150); // audit, policies, event logs, channels, SACLs, role, service …
    const unchanged = all.filter((e) => {
      const c = copy(host);
      e.apply(c);
      return fingerprint(c) === base;
    });
    expect(unchanged.map((e) => e.path)).toEqual([]);
  });

  it('does not change with the name, the files, notes, conflicts and the sources quoted in reasons', () => {
    const host = dc();
    const c = copy(host);
    c.name = 'OTHER-DC';
    c.files = ['elsewhere/x.xml'];
    c.notes = ['a note'];
    c.conflicts = ['a conflict'];
    for (const m of [c.audit, c.policies, c.eventLogs, c.sacl]) for (const v of m.values() as Iterable<{ source: string }>) v.source = 'gpresult OTHER.xml';
    if (c.role) c.role.source = 'elsewhere';
    expect(fingerprint(c)).toBe(fingerprint(host));
    // The same Sysmon config counts as the same; an equal copy of it does not (it is compared by identity).
    const d = copy(host);
    if (host.sysmon) d.sysmon = structuredClone(host.sysmon);
    expect(fingerprint(d) === fingerprint(host)).toBe(!host.sysmon);
  });

  it('a fleet assessed with shared states reports what it reports with each host its own', async () => {
    const gp = ['gpresult-utf16le-multi-gpo.xml', 'gpresult-utf8-legacy-only.xml', 'gpresult-dc-legacy-only.xml', 'gpresult-ps7.xml'].map((f) =>
      fixture(`environment/${f}`),
    );
    const env = loadEnvironment({ gpresult: [...gp, ...gp], host: [fixture('snapshot')], sysmon: [fixture('snapshot/DC01/sysmon-config.xml')] }, catalog);
    expect(env.hosts.length).toBeGreaterThan(9);
    const load = await loadRules([fileURLToPath(new URL('../../examples/rules', import.meta.url))]);
    const result = buildResult(load, resolveAll(load.rules, catalog), catalog, 'test');
    const run = (keepStates: boolean) => {
      const a = new Assessor(result, catalog, load.rules, {}, {}, { keepStates });
      for (const h of env.hosts) a.add(h);
      return renderJson(withReadiness(structuredClone(result), a.finish(), catalog));
    };
    expect(run(false)).toBe(run(true));
  });
});
