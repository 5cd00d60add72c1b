/**
 * The user's report (issue 21): sysmon-config over SigmaHQ rules/ wrote <FileBlockExecutable onmatch="exclude"/>,
 * <FileBlockShredding onmatch="exclude"/> and <FileDelete onmatch="exclude"/>. Over the whole corpus, in every
 * mode and merged into the SwiftOnSecurity config, the output has no enforcement element, no FileDelete or
 * ClipboardChange without an include filter, and sysmon-lint passes it (exit 0).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusOrSkip, CORPUS, runCli } from '../helpers.js';

const have = corpusOrSkip('sysmon hazards over the SigmaHQ corpus');
const RULES = join(CORPUS, 'sigmahq', 'rules');
const BASE = join(CORPUS, 'sysmon', 'swiftonsecurity-sysmonconfig-export.xml');
const dir = mkdtempSync(join(tmpdir(), 'lsc-hz-corpus-'));

function expectSafe(xml: string, name: string): void {
  expect(xml, name).not.toMatch(/<FileBlock(Executable|Shredding)\b/);
  expect(xml, name).not.toMatch(/<(FileDelete|ClipboardChange) onmatch="exclude"/);
  expect(xml, name).not.toMatch(/CaptureClipboard/);
  const out = join(dir, `${name}.xml`);
  writeFileSync(out, xml);
  const lint = runCli(['sysmon-lint', out, '--format', 'json']);
  expect(lint.status, lint.stdout).toBe(0);
  expect(JSON.parse(lint.stdout).hazards).toBe(0);
}

describe.skipIf(!have)('sysmon-config over SigmaHQ rules/ is safe to deploy as written', () => {
  for (const mode of ['minimal', 'targeted']) {
    it(`--mode ${mode}`, () => {
      const r = runCli(['sysmon-config', RULES, '--mode', mode]);
      expect(r.status, r.stderr).toBe(0);
      expectSafe(r.stdout, mode);
      expect(r.stderr).toMatch(/FileBlockExecutable \(EID 27; \d+ rules?\): not written: .*detect blocks made by your own blocking policy/);
      expect(r.stderr).not.toMatch(/FileBlock\w+ \(EID[^)]*\): logged unfiltered/);
      expect(r.stderr).toMatch(/FileDelete \(EID 23; \d+ rules\): not written: .*FileDeleteDetected \(EID 26\)/);
    }, 180_000);
  }

  it('merged with --base into the SwiftOnSecurity config, in both modes', () => {
    for (const mode of ['minimal', 'targeted']) {
      const r = runCli(['sysmon-config', RULES, '--base', BASE, '--mode', mode]);
      expect(r.status, r.stderr).toBe(0);
      expectSafe(r.stdout, `base-${mode}`);
    }
  }, 360_000);
});
