/**
 * Hardening, round 3 (issue 29): --pipeline / --mapping files read in linear time within LIMITS.mapping, and
 * tables linear in the size of a cell. Each CLI run is bounded to 10 s; peak memory is read from the child
 * itself (process.resourceUsage at exit). The inputs are generated: pySigma processing pipelines in the shape
 * of examples/mappings/pipeline.yml (pySigma's pipeline YAML: transformations with id / type / conditions /
 * rule_conditions), scaled up the way the hostile-input campaign scaled them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/limits.js';
import { CELL_CHARS, CELL_NOTE, clipCell } from '../../src/report/cell.js';
import { product, single } from '../../src/requirements/sets.js';
import { CLI, ROOT } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lsc-hard3-'));
/** Loaded before the CLI: prints the process's peak RSS on stderr as it exits. */
const RSS_HOOK = join(dir, 'rss.mjs');
writeFileSync(RSS_HOOK, "process.on('exit', () => process.stderr.write(`\\nmaxRSS ${process.resourceUsage().maxRSS}\\n`));\n");

/** The CLI on examples/rules (or `rules`) with a 10 s bound; peak RSS in MB from the child itself. */
function bounded(args: string[], rules = join(ROOT, 'examples/rules')) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, CLI, rules, '--no-cache', ...args], {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 1 << 28,
  });
  const rss = Number(/maxRSS (\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN) / 1024;
  const stderr = (r.stderr ?? '').replace(/\n?maxRSS \d+\n$/, '');
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr, ms: Date.now() - t0, rssMb: rss };
}
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

/** One add_condition transformation mapping category `cat` to `conditions` (YAML lines, indented 6). */
const pipeline = (conditions: string[], cat = 'process_creation') =>
  [
    'name: generated',
    'transformations:',
    '  - id: big',
    '    type: add_condition',
    '    conditions:',
    ...conditions,
    '    rule_conditions:',
    '      - type: logsource',
    '        product: windows',
    `        category: ${cat}`,
    '',
  ].join('\n');

type Row = { path: string; alternatives?: string[][]; eventIds: number[]; unknownReason?: string; logsourceKey?: string };
const json = (stdout: string) => JSON.parse(stdout) as { rules: Row[]; notes: { path: string; message: string }[] };
const certutil = (rows: Row[]) => rows.find((r) => r.path.endsWith('proc_creation_certutil_download.yml')) as Row;
const oneLine = (s: string) => s.trim().split('\n');
const idLimitLine = (p: string, n: number, key = 'windows/category/process_creation') =>
  `logsource-check: ${p}: ${key}: ${n} event IDs, more than ${LIMITS.mapping.eventIdsPerLogSource} per log source (limit: each rule of it is resolved per event); not used`;

describe('--pipeline and --mapping: linear readers within LIMITS.mapping', () => {
  // Was: resolved, each rule with 20,000 branches. Over a real rule set that costs rules × IDs (issue 29: 1,000
  // IDs over the SigmaHQ corpus took 1.6 GB), so a log source lists at most LIMITS.mapping.eventIdsPerLogSource.
  it('20,000 EventIDs in one add_condition: read in well under 10 s and 300 MB, refused by the per-log-source limit', () => {
    const p = write('ids.yml', pipeline(['      Channel: Contoso-App/Operational', `      EventID: [${ids(20_000).join(', ')}]`]));
    const r = bounded(['--pipeline', p, '-f', 'json']);
    console.log(`20,000 EventIDs: ${r.ms} ms, ${r.rssMb.toFixed(0)} MB`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.rssMb).toBeLessThan(300);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toEqual([idLimitLine(p, 20_000)]);
  }, 15_000);

  it('100,000 field conditions in one add_condition (block style): read in well under 10 s and 300 MB', () => {
    const fields = ids(100_000).map((i) => `      Field${i}: value${i}`);
    const p = write('conds.yml', pipeline(['      Channel: Contoso-App/Operational', ...fields, '      EventID: 4']));
    const r = bounded(['--pipeline', p, '-f', 'json']);
    console.log(`100,000 conditions: ${r.ms} ms, ${r.rssMb.toFixed(0)} MB`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.rssMb).toBeLessThan(300);
    expect(certutil(json(r.stdout).rules)).toMatchObject({ alternatives: [['channel:Contoso-App/Operational']], eventIds: [4] });
  }, 15_000);

  it('60,000 transformations and a 50,000-entry mapping: refused by the item limit in one line, exit 2', () => {
    const t: string[] = ['transformations:'];
    for (let i = 0; i < 60_000; i++)
      t.push(
        `  - id: t${i}`,
        '    type: add_condition',
        '    conditions:',
        `      Channel: App-${i}/Operational`,
        '    rule_conditions:',
        '      - type: logsource',
        `        category: cat_${i}`,
      );
    const p = write('trans.yml', t.join('\n'));
    const r = bounded(['--pipeline', p]);
    expect(r.status).toBe(2);
    expect(r.rssMb).toBeLessThan(300);
    expect(oneLine(r.stderr)).toEqual([`logsource-check: ${p}: more than ${LIMITS.mapping.yamlItems} YAML items (420000 separators; limit); not used`]);

    const m: string[] = ['logsources:'];
    for (let i = 0; i < 50_000; i++)
      m.push(
        '  - product: windows',
        `    category: cat_${i}`,
        `    title: Cat ${i}`,
        '    sources:',
        `      - { name: App ${i}, producer: channel, channel: App-${i}/Operational }`,
        '    source: generated',
      );
    const mp = write('map.yml', m.join('\n'));
    const rm = bounded(['--mapping', mp]);
    expect(rm.status).toBe(2);
    expect(rm.rssMb).toBeLessThan(300);
    expect(oneLine(rm.stderr)).toHaveLength(1);
    expect(rm.stderr).toMatch(/map\.yml: more than 250000 YAML items \(\d+ separators; limit\); not used/);
  }, 25_000);

  it('compact files within the item limit meet the transformation, entry, list and channel × ID limits', () => {
    const manyT = write('many-t.yml', `transformations: [${Array.from({ length: 10_001 }, (_, i) => `{id: f${i}, type: field_name_mapping}`).join(', ')}]\n`);
    const r1 = bounded(['--pipeline', manyT]);
    expect(r1.status).toBe(2);
    expect(oneLine(r1.stderr)).toEqual([`logsource-check: ${manyT}: transformations: more than 10000 (limit); not used`]);

    const manyE = write(
      'many-e.yml',
      ['logsources:', ...ids(10_001).flatMap((i) => ['  - product: windows', `    category: c${i}`, '    title: C', '    source: s', '    sources: []'])].join(
        '\n',
      ),
    );
    const r2 = bounded(['--mapping', manyE]);
    expect(r2.status).toBe(2);
    expect(oneLine(r2.stderr)).toEqual([`logsource-check: ${manyE}: logsources: more than 10000 entries (limit); not used`]);

    const longList = write('long-list.yml', pipeline(['      Channel: Security', `      EventID: [${ids(70_000).join(', ')}]`]));
    const r3 = bounded(['--pipeline', longList]);
    expect(r3.status).toBe(2);
    expect(oneLine(r3.stderr)).toEqual([`logsource-check: ${longList}: transformations[0].conditions.EventID: more than 65536 list items (limit); not used`]);

    const pairs = write(
      'pairs.yml',
      pipeline([
        `      Channel: [${ids(10)
          .map((i) => `App-${i}/Operational`)
          .join(', ')}]`,
        `      EventID: [${ids(20_000).join(', ')}]`,
      ]),
    );
    const r4 = bounded(['--pipeline', pairs]);
    expect(r4.status).toBe(2);
    expect(oneLine(r4.stderr)).toEqual([
      `logsource-check: ${pairs}: transformations[0] (big): conditions: 10 channels × 20000 event IDs, more than 100000 pairs (limit); not used`,
    ]);
  }, 40_000);

  it('YAML beyond the fast reader (anchors) is read by the yaml package, within its own item limit', () => {
    const small = write('anchor.yml', pipeline(['      Channel: &ch Contoso-App/Operational', '      Copy: *ch', '      EventID: [1001, 1002]']));
    const ok = bounded(['--pipeline', small, '-f', 'json']);
    expect(ok.status).toBe(0);
    expect(certutil(json(ok.stdout).rules)).toMatchObject({ alternatives: [['channel:Contoso-App/Operational']], eventIds: [1001, 1002] });

    const big = write('anchor-big.yml', pipeline(['      Channel: &ch Contoso-App/Operational', ...ids(60_000).map((i) => `      F${i}: *ch`)]));
    const r = bounded(['--pipeline', big]);
    expect(r.status).toBe(2);
    expect(r.rssMb).toBeLessThan(300);
    expect(oneLine(r.stderr)).toEqual([
      `logsource-check: ${big}: more than 50000 YAML items (60010 separators) in YAML beyond the plain block style (anchors, tags, quoted values over several lines …; limit); not used`,
    ]);
  }, 25_000);

  it('notes on unused transformations are listed up to 20 per file, then counted', () => {
    const t = ['transformations:', ...ids(30).flatMap((i) => [`  - id: f${i}`, '    type: field_name_mapping', '    mapping: { Result: AuthResult }'])];
    const p = write('unused.yml', t.join('\n'));
    const r = bounded(['--pipeline', p, '-f', 'json']);
    expect(r.status).toBe(0);
    const mine = json(r.stdout)
      .notes.filter((n) => n.path === p)
      .map((n) => n.message);
    expect(mine).toHaveLength(21);
    expect(mine[0]).toBe('transformations[0] (f0): type field_name_mapping changes queries, not what is logged; not used');
    expect(mine[20]).toBe('… and 10 more transformations not used');
  }, 15_000);

  it('a repeated key is read as PyYAML reads it (the last value) with a note, on either reader', () => {
    for (const anchor of ['', ' &x']) {
      const p = write(
        `dup${anchor ? '-anchor' : ''}.yml`,
        pipeline([`      Channel:${anchor} Wrong/Channel`, '      Channel: Contoso-App/Operational', '      EventID: 1001']),
      );
      const r = bounded(['--pipeline', p, '-f', 'json']);
      expect(r.status).toBe(0);
      const out = json(r.stdout);
      expect(certutil(out.rules).alternatives).toEqual([['channel:Contoso-App/Operational']]);
      expect(out.notes).toContainEqual({ path: p, message: 'duplicate key Channel at line 7: the earlier value is ignored, as PyYAML does' });
    }
  }, 20_000);

  it('an EventID no audit subcategory logs is not "logged regardless" on Security: unknown, with a note (was a false ready)', () => {
    const p = write('unknown-id.yml', pipeline(['      Channel: Security', '      EventID: 9999']));
    const r = bounded(['--pipeline', p, '--host', join(ROOT, 'examples/hosts/WS-0142'), '-f', 'json']);
    expect(r.status).toBe(0);
    const out = json(r.stdout);
    const row = certutil(out.rules) as Row & { verdict?: string };
    expect(row.verdict).toBe('unknown');
    expect(out.notes.some((n) => n.path === p && /EventID 9999: no producer the catalog knows writes them to that channel/.test(n.message))).toBe(true);

    const mixed = write('mixed-id.yml', pipeline(['      Channel: Security', '      EventID: [4688, 9999]']));
    const m = bounded(['--pipeline', mixed, '-f', 'json']);
    // Process Creation (audit subcategory {0CCE922B-…}) logs 4688: the rule needs it, not nothing.
    const row2 = certutil(json(m.stdout).rules);
    expect(row2.eventIds).toEqual([4688]);
    expect(row2.alternatives).toHaveLength(1);
    expect(row2.alternatives?.[0]).toContain('audit:{0CCE922B-69AE-11D9-BED3-505054503030}:success');
  }, 20_000);
});

describe('tables linear in the size of a cell', () => {
  const channel = 'C'.repeat(40_000);
  const p = write('long-channel.yml', pipeline([`      Channel: ${channel}`, '      EventID: 1']));

  it('check -v with a 40,000-character channel name: well under 10 s; table cells cut with a note; JSON whole', () => {
    const r = bounded(['--pipeline', p, '-v']);
    console.log(`check -v, 40,000-character channel: ${r.ms} ms, ${r.rssMb.toFixed(0)} MB`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    const row = r.stdout.split('\n').find((l) => l.startsWith('│ Channel CCC')) as string;
    expect(row).toContain(`${'C'.repeat(CELL_CHARS - 'Channel '.length)}…`);
    expect(row.length).toBeLessThan(1_000);
    expect(r.stdout).toContain(CELL_NOTE);
    const j = bounded(['--pipeline', p, '-f', 'json']);
    expect(JSON.stringify(json(j.stdout).rules)).toContain(`channel:${channel}`);
  }, 25_000);

  it('the default table and Markdown cut the same cells', () => {
    const t = bounded(['--pipeline', p, '--host', join(ROOT, 'examples/hosts/WS-0142')]);
    expect(t.status).toBe(0);
    expect(t.ms).toBeLessThan(10_000);
    expect(t.stdout).toContain(CELL_NOTE);
    const md = bounded(['--pipeline', p, '-f', 'markdown']);
    expect(md.status).toBe(0);
    const table = md.stdout.split('\n').filter((l) => l.startsWith('| '));
    expect(Math.max(...table.map((l) => l.length))).toBeLessThan(2_000);
    expect(md.stdout).toContain(`_${CELL_NOTE}_`);
  }, 25_000);

  it('clipCell: colour sequences kept and not counted, surrogate pairs never split, linear on a megabyte', () => {
    const painted = `\u001b[2m${'x'.repeat(300)}\u001b[0m`;
    let cut = 0;
    const c = clipCell(painted, () => cut++);
    expect(c).toBe(`\u001b[2m${'x'.repeat(CELL_CHARS)}…\u001b[0m`);
    expect(cut).toBe(1);
    const emoji = clipCell(`${'a'.repeat(CELL_CHARS - 1)}${'😀'.repeat(10)}`);
    expect(emoji).toBe(`${'a'.repeat(CELL_CHARS - 1)}😀…`);
    expect(clipCell('short\nlines', () => cut++)).toBe('short\nlines');
    expect(cut).toBe(1);
    const t0 = Date.now();
    expect(clipCell('y'.repeat(1 << 20))).toHaveLength(CELL_CHARS + 1);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});

describe('requirement product: linear in the events of a log source', () => {
  it('20,000 events with the same option: one way, one branch per event in order', () => {
    const ev = (id: number) => ({ channel: 'App', eventIds: [id] });
    const opts = ids(20_000).map((id) => [single(['channel:App'], ev(id))]);
    const t0 = Date.now();
    const { sets, truncated } = product(opts);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(truncated).toBe(false);
    expect(sets).toHaveLength(1);
    expect(sets[0]?.requires).toEqual(['channel:App']);
    expect(sets[0]?.events.map((e) => e.eventIds[0])).toEqual(ids(20_000));
  });
  it('an event with two ways keeps both; a later event needing nothing new leaves them as they are', () => {
    const ev = (id: number) => ({ channel: 'Security', eventIds: [id] });
    const { sets } = product([[single(['a'], ev(1)), single(['b'], ev(1))], [single(['a'], ev(2)), single(['b'], ev(2))], [single([], ev(3))]]);
    expect(sets.map((s) => s.requires)).toEqual([['a'], ['b']]);
    expect(sets.map((s) => s.branches)).toEqual([
      [['a'], ['a'], []],
      [['b'], ['b'], []],
    ]);
    expect(sets.map((s) => s.events.map((e) => e.eventIds[0]))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
  });
});

describe('event IDs per log source of a pipeline (issue 29: rules × event IDs)', () => {
  /**
   * 1,500 process_creation rules (the SigmaHQ corpus has 1,372), generated in the shape of
   * examples/rules/windows/proc_creation_certutil_download.yml with their own id, image and command line.
   */
  const rules = join(dir, 'gen-rules');
  mkdirSync(rules);
  for (let i = 0; i < 1_500; i++) {
    const hex = i.toString(16).padStart(12, '0');
    writeFileSync(
      join(rules, `proc_creation_gen_${i}.yml`),
      [
        `title: Generated Process Creation ${i}`,
        `id: 7c1f3e1a-5d0b-4c35-9d59-${hex}`,
        'status: test',
        'logsource:',
        '    category: process_creation',
        '    product: windows',
        'detection:',
        '    selection_img:',
        `        - Image|endswith: '\\tool${i}.exe'`,
        `        - OriginalFileName: 'Tool${i}.exe'`,
        '    selection_cli:',
        `        CommandLine|contains: '-flag${i}'`,
        '    condition: all of selection_*',
        'level: medium',
        '',
      ].join('\n'),
    );
  }
  const max = LIMITS.mapping.eventIdsPerLogSource;

  it('1,500 rules with 20,000 EventIDs: one error line naming the file, exit 2, within 10 s and 400 MB', () => {
    const p = write('gen-20000.yml', pipeline(['      Channel: Contoso-App/Operational', `      EventID: [${ids(20_000).join(', ')}]`]));
    const r = bounded(['--pipeline', p, '-f', 'json'], rules);
    console.log(`1,500 rules, 20,000 EventIDs: ${r.ms} ms, ${r.rssMb.toFixed(0)} MB`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.rssMb).toBeLessThan(400);
    expect(oneLine(r.stderr)).toEqual([idLimitLine(p, 20_000)]);
  }, 15_000);

  it(`1,500 rules with ${LIMITS.mapping.eventIdsPerLogSource} EventIDs (the limit): resolved within 10 s and 400 MB`, () => {
    const p = write('gen-max.yml', pipeline(['      Channel: Contoso-App/Operational', `      EventID: [${ids(max).join(', ')}]`]));
    const r = bounded(['--pipeline', p, '-f', 'json'], rules);
    console.log(`1,500 rules, ${max} EventIDs: ${r.ms} ms, ${r.rssMb.toFixed(0)} MB`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.rssMb).toBeLessThan(400);
    const rows = json(r.stdout).rules;
    expect(rows).toHaveLength(1_500);
    for (const row of [rows[0], rows[1_499]] as Row[]) {
      expect(row.alternatives).toEqual([['channel:Contoso-App/Operational']]);
      expect(row.eventIds).toEqual(ids(max));
    }
  }, 15_000);

  it('one ID over the limit is refused; IDs a known channel drops are not counted; a --mapping entry is held to it too', () => {
    const over = write('over.yml', pipeline(['      Channel: Contoso-App/Operational', `      EventID: [${ids(max + 1).join(', ')}]`]));
    const r = bounded(['--pipeline', over]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toEqual([idLimitLine(over, max + 1)]);

    // Security keeps only the IDs an audit subcategory (or the log itself) writes: 0…99 are none of them.
    const security = write('security.yml', pipeline(['      Channel: Security', `      EventID: [4688, ${ids(100).join(', ')}]`]));
    const s = bounded(['--pipeline', security, '-f', 'json']);
    expect(s.status).toBe(0);
    expect(certutil(json(s.stdout).rules).eventIds).toEqual([4688]);

    const events = `[${ids(max + 1).join(', ')}]`;
    const mp = write(
      'many-ids-map.yml',
      [
        'logsources:',
        '  - product: windows',
        '    category: app_events',
        '    title: App',
        '    source: generated',
        '    sources:',
        `      - { name: App, producer: channel, channel: App/Operational, events: ${events} }`,
        '',
      ].join('\n'),
    );
    const m = bounded(['--mapping', mp]);
    expect(m.status).toBe(2);
    expect(oneLine(m.stderr)).toEqual([idLimitLine(mp, max + 1, 'windows/category/app_events')]);
  }, 30_000);
});
