/**
 * sacls.txt reader (src/environment/sacls.ts): what is not read in full is unknown, never "no SACL"; every
 * tolerance is a note. Fixture: test/fixtures/snapshot-sacls/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import type { InputError } from '../../src/environment/model.js';
import { parseSacls } from '../../src/environment/sacls.js';
import { findSnapshots, hostFromSnapshot } from '../../src/environment/snapshot.js';
import { LIMITS } from '../../src/limits.js';
import { ROOT } from '../helpers.js';

const SNAP = join(ROOT, 'test/fixtures/snapshot-sacls/WS-0142');
const fixture = readFileSync(join(SNAP, 'sacls.txt'), 'utf8');
const T = '\t';
const block = (path: string, ...lines: string[]) => [`path${T}registry${T}${path}`, ...lines, 'end'];
const file = (...lines: string[]) => ['logsource-check sacls 1', ...lines].join('\r\n') + '\r\n';
const EVERYONE_SET = `audit${T}S-1-1-0${T}0x00000002${T}Success${T}ContainerInherit${T}None${T}explicit`;

describe('parseSacls on the fixture', () => {
  const s = parseSacls(fixture);

  it('reads every block, the done line, and the entries as numbers and flags', () => {
    expect(s.complete).toBe(true);
    expect(s.partial).toBeUndefined();
    expect(s.paths.size).toBe(10);
    expect(s.paths.get('hklm:\\software\\microsoft\\windows\\currentversion\\run')).toMatchObject({
      status: 'found',
      aces: [
        { sid: 'S-1-1-0', rights: 0x20006, success: true, failure: false, containerInherit: true, objectInherit: false, inheritOnly: false, inherited: true },
      ],
    });
    expect(s.paths.get('hklm:\\system\\currentcontrolset\\control\\lsa')).toMatchObject({
      status: 'access-denied',
      message: 'Attempted to perform an unauthorized operation.',
    });
    expect(s.paths.get('c:\\windows\\system32\\tasks')?.aces).toHaveLength(2);
    expect(s.notes).toEqual([]);
  });

  it('the same SACLs give the same digest; another entry another one', () => {
    expect(parseSacls(fixture).digest).toBe(s.digest);
    expect(parseSacls(fixture.replace('0x00020006', '0x00000006')).digest).not.toBe(s.digest);
  });
});

describe('parseSacls on hostile and partial input', () => {
  it('a path with TAB, CR LF, ";", "=" and "%" comes back from its %XX escapes', () => {
    const s = parseSacls(file(...block('HKLM:\\SOFTWARE\\a%09b%0D%0Ac; d=e %25', `status${T}found${T}0`), `done${T}1`));
    expect([...s.paths.values()][0]?.path).toBe('HKLM:\\SOFTWARE\\a\tb\r\nc; d=e %');
    expect(s.complete).toBe(true);
  });

  it('no done line: partial (the script did not finish)', () => {
    const s = parseSacls(file(...block('HKLM:\\SOFTWARE\\A', `status${T}found${T}1`, EVERYONE_SET)));
    expect(s.complete).toBe(false);
    expect(s.partial).toMatch(/no "done" line/);
    expect(s.paths.get('hklm:\\software\\a')?.status).toBe('found');
  });

  it('a block cut before its end line is unknown ("cut"), never a SACL without entries', () => {
    const text = file(`path${T}registry${T}HKLM:\\SOFTWARE\\A`, `status${T}found${T}2`, EVERYONE_SET).replace(/\r\n$/, '');
    const s = parseSacls(text);
    expect(s.paths.get('hklm:\\software\\a')).toMatchObject({ status: 'cut', aces: [] });
    expect(s.partial).toBeDefined();
  });

  it('a block followed by another path before its end is cut, with a note', () => {
    const s = parseSacls(
      file(`path${T}registry${T}HKLM:\\SOFTWARE\\A`, `status${T}found${T}0`, ...block('HKLM:\\SOFTWARE\\B', `status${T}found${T}0`), `done${T}2`),
    );
    expect(s.paths.get('hklm:\\software\\a')?.status).toBe('cut');
    expect(s.paths.get('hklm:\\software\\b')?.status).toBe('found');
    expect(s.notes.join('\n')).toMatch(/HKLM:\\SOFTWARE\\A has no "end" line/);
  });

  it('an audit line that does not parse, or a count that does not match, makes the path unknown (error)', () => {
    const s = parseSacls(
      file(
        ...block('HKLM:\\SOFTWARE\\A', `status${T}found${T}1`, `audit${T}Everyone${T}SetValue${T}Success${T}None${T}None${T}explicit`),
        ...block('HKLM:\\SOFTWARE\\B', `status${T}found${T}2`, EVERYONE_SET),
        `done${T}2`,
      ),
    );
    expect(s.paths.get('hklm:\\software\\a')?.status).toBe('error');
    expect(s.paths.get('hklm:\\software\\b')).toMatchObject({ status: 'error', message: expect.stringMatching(/says 2 audit entries, the block lists 1/) });
    expect(s.notes).toHaveLength(2);
  });

  it('BOM, CRLF, a BOM inside the file and blank lines (CR CR LF) are read, each tolerance noted', () => {
    const lines = [
      'logsource-check sacls 1',
      ...block('HKLM:\\SOFTWARE\\A', `status${T}found${T}1`, EVERYONE_SET),
      `\uFEFF${block('HKLM:\\SOFTWARE\\B', `status${T}not-found${T}`).join('\r\r\n')}`,
      `done${T}2`,
    ];
    const s = parseSacls(`\uFEFF${lines.join('\r\r\n')}\r\r\n`);
    expect(s.complete).toBe(true);
    expect(s.paths.get('hklm:\\software\\a')?.aces).toHaveLength(1);
    expect(s.paths.get('hklm:\\software\\b')?.status).toBe('not-found');
    expect(s.notes.join('\n')).toMatch(/1 byte order mark/);
    expect(s.notes.join('\n')).toMatch(/blank line\(s\) skipped \(CR CR LF/);
  });

  it('a done count that differs from the paths listed: partial', () => {
    const s = parseSacls(file(...block('HKLM:\\SOFTWARE\\A', `status${T}found${T}0`), `done${T}3`));
    expect(s.complete).toBe(false);
    expect(s.partial).toMatch(/counts 3 path\(s\), 1 are listed/);
  });

  it('not a sacls.txt, or another version: one error', () => {
    expect(() => parseSacls('Path : HKLM:\\SOFTWARE\r\nAudit : \r\n')).toThrow(/not a sacls\.txt/);
    expect(() => parseSacls('logsource-check sacls 2\r\n')).toThrow(/unsupported sacls\.txt version/);
    expect(() => parseSacls('')).toThrow(/empty/);
  });

  it(`more than ${LIMITS.host.objectSaclLines.toLocaleString('en-US')} lines: partial, the block being read is unknown (not a SACL without entries)`, () => {
    const n = LIMITS.host.objectSaclLines;
    const many = `${EVERYONE_SET}\r\n`.repeat(n);
    const head = file(...block('HKLM:\\SOFTWARE\\A', `status${T}found${T}0`), `path${T}registry${T}HKLM:\\SOFTWARE\\B`, `status${T}found${T}${n}`);
    const s = parseSacls(`${head}${many}end\r\ndone${T}2\r\n`);
    expect(s.partial).toMatch(/more than 200,000 lines \(limit\)/);
    expect(s.paths.get('hklm:\\software\\a')?.status).toBe('found');
    expect(s.paths.get('hklm:\\software\\b')).toMatchObject({ status: 'cut', aces: [] });
    expect(s.complete).toBe(false);
  });
});

describe('sacls.txt in a host snapshot', () => {
  it('is read into host.objectSacls, and a partial file is one error line naming it', () => {
    const errors: InputError[] = [];
    const [snap] = findSnapshots(SNAP, errors);
    const host = hostFromSnapshot(snap!, loadCatalog(), errors);
    expect(errors).toEqual([]);
    expect(host.objectSacls?.paths.size).toBe(10);
    expect(host.files.some((f) => f.endsWith('sacls.txt'))).toBe(true);

    const cut = { path: SNAP, files: new Map([['sacls.txt', fixture.slice(0, fixture.indexOf('done'))]]) };
    const errs: InputError[] = [];
    const h2 = hostFromSnapshot(cut, loadCatalog(), errs);
    expect(errs).toHaveLength(1);
    expect(errs[0]?.path).toBe(join(SNAP, 'sacls.txt'));
    expect(errs[0]?.message).toMatch(/read as partial/);
    expect(h2.objectSacls?.complete).toBe(false);
  });
});
