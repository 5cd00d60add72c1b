/**
 * Sysmon event 24 (ClipboardChange) needs the <CaptureClipboard/> configuration entry as well as rules (catalog
 * requiresOption, Sysmon Community Guide): a config with ClipboardChange rules and no CaptureClipboard logs no
 * event 24, so a rule reading 24 is never ready on it. Fixtures: test/fixtures/sysmon-clipboard (hand-written).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { eventState, eventStatus, parseSysmonConfig } from '../../src/environment/sysmon.js';
import { requirementState } from '../../src/assess/verdict.js';
import { emptyHost } from '../../src/environment/model.js';
import { runCheck } from '../../src/check.js';
import { generateSysmonConfig } from '../../src/generate/sysmon-config.js';

const catalog = loadCatalog();
const FIX = 'test/fixtures/sysmon-clipboard';
const RULE = 'test/fixtures/sysmon-hazards/clipboard_rdpclip.yml';
const config = (name: string) => parseSysmonConfig(join(FIX, name), readFileSync(join(FIX, name), 'utf8'), catalog);
const stateOn = (c: ReturnType<typeof config>) => {
  const host = emptyHost('h');
  host.sysmon = c;
  return requirementState('sysmon:24', host, catalog);
};
/** The clipboard rule's verdict and the sysmon:24 requirement's state on one host. */
async function verdict(environment: NonNullable<Parameters<typeof runCheck>[1]>['environment']) {
  const { result } = await runCheck([RULE], { environment, cacheDir: false, workers: false });
  const rule = result.rules.find((r) => r.path.endsWith('clipboard_rdpclip.yml'));
  const req = result.requirements.find((q) => q.id === 'sysmon:24');
  return { verdict: rule?.verdict, why: rule?.why, state: req?.state, reason: req?.stateReason };
}

describe('catalog: event 24 needs CaptureClipboard', () => {
  it('records the entry with its source next to it, and the entry is a known configuration option', () => {
    const ev = catalog.sysmonEvent(24);
    expect(ev?.requiresOption).toEqual(
      expect.objectContaining({
        name: 'CaptureClipboard',
        source: expect.stringMatching(/^https:\/\/github\.com\/trustedsec\/SysmonCommunityGuide\/.*clipboard-capture\.md$/),
      }),
    );
    expect(ev?.requiresOption?.note).toMatch(/not generated even if filtering rules are\s+present/);
    // No other event type needs a configuration entry to be written.
    expect(catalog.sysmonEvents.filter((e) => e.requiresOption).map((e) => e.id)).toEqual([24]);
  });
});

describe('eventState and requirementState for ClipboardChange', () => {
  it('include and exclude rules without CaptureClipboard: off, with the reason naming the entry', () => {
    for (const name of ['include-no-capture.xml', 'exclude-no-capture.xml']) {
      const c = config(name);
      expect(c.options.CaptureClipboard, name).toBeUndefined();
      expect(eventState(c, 24, catalog), name).toBe('off');
      expect(eventStatus(c, 24, catalog).gap?.option, name).toBe('CaptureClipboard');
      const st = stateOn(c);
      expect(st.state, name).toBe('off');
      expect(st.reason, name).toContain('CaptureClipboard is not set: Sysmon writes no event 24 without it');
    }
  });

  it('with <CaptureClipboard/>: the include rule filters (on for what it keeps), an exclude-only config is on', () => {
    const c = config('include-capture.xml');
    expect(c.options.CaptureClipboard).toBe('');
    expect(eventState(c, 24, catalog)).toBe('filtered');
    expect(stateOn(c)).toEqual(expect.objectContaining({ state: 'on', sysmonState: 'filtered' }));
    const exclude = readFileSync(join(FIX, 'exclude-no-capture.xml'), 'utf8').replace('<HashAlgorithms>', '<CaptureClipboard />\n  <HashAlgorithms>');
    expect(eventState(parseSysmonConfig('x.xml', exclude, catalog), 24, catalog)).toBe('on');
  });

  it('no ClipboardChange rule at all stays off for that reason, not the entry; other types never need an entry', () => {
    const c = parseSysmonConfig('t.xml', '<Sysmon schemaversion="4.50"><EventFiltering><ProcessCreate onmatch="exclude"/></EventFiltering></Sysmon>', catalog);
    expect(eventStatus(c, 24, catalog)).toEqual({ state: 'off' });
    expect(stateOn(c).reason).not.toContain('CaptureClipboard');
    expect(eventState(c, 1, catalog)).toBe('on');
  });

  it('a config whose entries the input cannot show: unknown, naming the entry and what settles it', () => {
    const c = { ...config('include-no-capture.xml'), optionsUnseen: true };
    expect(eventState(c, 24, catalog)).toBe('unknown');
    const st = stateOn(c);
    expect(st.state).toBe('unknown');
    expect(st.reason).toMatch(/does not show whether CaptureClipboard is set .*config XML settles it/);
    // An entry the input does show still decides.
    expect(eventState({ ...c, options: { CaptureClipboard: '' } }, 24, catalog)).toBe('filtered');
  });
});

describe('a rule reading event 24 (clipboard_capture)', () => {
  it('is blocked on a config with ClipboardChange rules and no CaptureClipboard, ready with it', async () => {
    const off = await verdict({ sysmon: [join(FIX, 'include-no-capture.xml')] });
    expect(off.verdict).toBe('blocked');
    expect(off.state).toBe('off');
    expect(off.reason).toContain('CaptureClipboard is not set: Sysmon writes no event 24 without it');
    expect(off.why).toMatch(/^no event it reads is produced: sysmon:24 \(.*CaptureClipboard is not set/);
    const on = await verdict({ sysmon: [join(FIX, 'include-capture.xml')] });
    expect(on.verdict).toBe('ready');
  });

  it('snapshot with a sysmon -c dump: without the config XML unknown; with an XML lacking CaptureClipboard blocked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsc-clip-'));
    try {
      const host = join(dir, 'DC01');
      cpSync('test/fixtures/snapshot/DC01', host, { recursive: true });
      // The dump shows the rules and the version but no CaptureClipboard line: it cannot prove the entry absent.
      rmSync(join(host, 'sysmon-config.xml'));
      const dumpOnly = await verdict({ host: [host] });
      expect(dumpOnly.verdict).toBe('unknown');
      expect(dumpOnly.state).toBe('unknown');
      expect(dumpOnly.reason).toMatch(/configuration is not in the inputs/);
      writeFileSync(join(host, 'sysmon-config.xml'), readFileSync(join(FIX, 'include-no-capture.xml')));
      const withXml = await verdict({ host: [host] });
      expect(withXml.verdict).toBe('blocked');
      expect(withXml.reason).toContain('CaptureClipboard is not set');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the fix is still never proposed and sysmon-config still never writes ClipboardChange or CaptureClipboard', async () => {
    const { result } = await runCheck([RULE], { environment: { sysmon: [join(FIX, 'include-no-capture.xml')] }, cacheDir: false, workers: false });
    expect(result.readiness?.recommendations.flatMap((r) => r.requires.map((q) => q.id)) ?? []).not.toContain('sysmon:24');
    expect(result.readiness?.withheld?.map((w) => w.requires)).toContainEqual(['sysmon:24']);
    const base = { path: join(FIX, 'include-no-capture.xml'), text: readFileSync(join(FIX, 'include-no-capture.xml'), 'utf8') };
    const rule = (await runCheck([RULE], { cacheDir: false, workers: false })).load.rules[0];
    const g = generateSysmonConfig([{ rule: rule as never, eventIds: [24] }], catalog, { mode: 'targeted', base });
    expect(g.xml).not.toMatch(/CaptureClipboard/);
    expect(g.xml.match(/<ClipboardChange/g)?.length ?? 0).toBe(2); // the base's two, nothing added
  });
});
