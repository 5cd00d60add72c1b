/** `catalog export`: the catalog per Sigma log source, validated against docs/catalog-export.schema.json. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAttackComponents, readComponents } from '../../src/catalog/attack-components.js';
import { exportCatalog, type CatalogExport } from '../../src/catalog/export.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { renderCatalogExport } from '../../src/report/catalog-export.js';
import { ROOT, runCli } from '../helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'docs/catalog-export.schema.json'), 'utf8')) as object;
const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
const validate = new (Ajv as unknown as new (o: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown[] | null } })({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
}).compile(schema);
const catalog = loadCatalog();
const x = exportCatalog(catalog, '9.9.9', loadAttackComponents(catalog));
const PROCESS_CREATION = '{0CCE922B-69AE-11D9-BED3-505054503030}';

describe('catalog export', () => {
  it('the JSON the CLI writes validates against the documented schema, and the schema rejects what it should', () => {
    const r = runCli(['catalog', 'export']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as CatalogExport;
    expect(validate(j), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(j.logsources.map((l) => l.key)).toEqual(
      catalog.logsources.map((e) => (e.category ? `${e.product}/category/${e.category}` : `${e.product}/service/${e.service}`)),
    );
    const bad = structuredClone(j) as unknown as { logsources: { origins: { producer: string }[] }[] };
    bad.logsources[0]!.origins[0]!.producer = 'magic';
    expect(validate(bad)).toBe(false);
    const extra = structuredClone(j) as unknown as Record<string, unknown>;
    extra['surprise'] = 1;
    expect(validate(extra)).toBe(false);
  });

  it('gives per event the settings that produce it: 4688 needs Audit Process Creation Success; Sysmon 1 ProcessCreate', () => {
    const pc = x.logsources.find((l) => l.key === 'windows/category/process_creation')!;
    expect(pc.attackDataComponents).toEqual(['Process Creation', 'Command Execution']);
    const sec = pc.origins.find((o) => o.producer === 'audit')!;
    expect(sec.channel).toBe('Security');
    const ev = sec.events.find((e) => e.id === 4688)!;
    expect(ev.routes).toHaveLength(1);
    expect(ev.routes[0]).toMatchObject({
      requires: [`audit:${PROCESS_CREATION}:success`],
      audit: { guid: PROCESS_CREATION, subcategory: 'Audit Process Creation', outcome: 'success' },
    });
    // The command-line policy only adds a field: an enricher, not a requirement of the event.
    expect(sec.enrichers[0]).toMatchObject({ requires: 'policy:process-creation-command-line', fields: ['CommandLine'] });
    const sysmon = pc.origins.find((o) => o.producer === 'sysmon')!.events[0]!.routes[0]!;
    expect(sysmon).toMatchObject({ requires: ['sysmon:1'], sysmon: { eventId: 1, element: 'ProcessCreate' } });
  });

  it('object-access routes carry their SACL; a disabled-by-default channel its channel requirement; every id is known', () => {
    const reg = x.logsources.find((l) => l.key === 'windows/category/registry_set')!;
    const r4657 = reg.origins.find((o) => o.producer === 'audit')!.events.find((e) => e.id === 4657)!.routes[0]!;
    expect(r4657.sacls).toContain('registry');
    expect(r4657.requires).toContain('sacl:registry');
    const ts = x.logsources.find((l) => l.key === 'windows/service/taskscheduler')!;
    expect(ts.origins[0]!.producer).toBe('channel');
    for (const l of x.logsources)
      for (const o of l.origins)
        for (const e of o.events)
          for (const r of e.routes) for (const id of r.requires) expect(catalog.checkRequirement(id), `${l.key} ${e.id} ${id}`).toBeUndefined();
  });

  it('YAML holds the same objects as JSON; CSV has one row per route with escaped cells', () => {
    expect(parseYaml(renderCatalogExport(x, 'yaml'))).toEqual(JSON.parse(renderCatalogExport(x, 'json')));
    const rows = parseCsv<Record<string, string>>(renderCatalogExport(x, 'csv'), { columns: true });
    const row = rows.find((r) => r['event_id'] === '4688')!;
    expect(row).toMatchObject({
      category: 'process_creation',
      channel: 'Security',
      audit_subcategory_guid: PROCESS_CREATION,
      audit_outcome: 'success',
      requires: `audit:${PROCESS_CREATION}:success`,
    });
    // A title a spreadsheet would run as a formula is neutralised (escape.ts csvCell).
    const evil = structuredClone(x);
    evil.logsources[0]!.title = '=HYPERLINK("http://x")';
    const first = parseCsv<Record<string, string>>(renderCatalogExport(evil, 'csv'), { columns: true })[0]!;
    expect(first['title']).toBe('\'=HYPERLINK("http://x")');
  });

  it('the data-component mapping is validated: unknown log sources and components are refused', () => {
    const good = loadAttackComponents(catalog);
    expect(() =>
      readComponents({ ...good, mappings: [{ logsource: 'windows/category/nope', components: ['Process Creation'], basis: 'documented', why: 'x' }] }, catalog),
    ).toThrow(/log source "windows\/category\/nope" is not in logsources\.yaml/);
    expect(() =>
      readComponents(
        { ...good, mappings: [{ logsource: 'windows/category/process_creation', components: ['Telepathy'], basis: 'documented', why: 'x' }] },
        catalog,
      ),
    ).toThrow(/component "Telepathy" is not listed/);
    expect(() =>
      readComponents(
        { ...good, sources: { mitre: 'https://github.com/mitre-attack/attack-datasources/tree/master/contribution', dettect: good.sources.dettect } },
        catalog,
      ),
    ).toThrow(/pinned to a commit/);
  });

  it('--format csv -o writes the file; a bad format exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-catalog-export-'));
    const r = runCli(['catalog', 'export', '--format', 'csv', '-o', join(dir, 'c.csv')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toMatch(/^product,category,service,title,/);
    expect(runCli(['catalog', 'export', '--format', 'xml']).status).toBe(2);
  });
});
