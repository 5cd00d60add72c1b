/**
 * auditpol as real hosts saved it (test/fixtures/real/auditpol/SOURCES.md). Expectations read off the files by
 * hand: the GUID rows counted with grep, the settings of single rows read from their lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/load.js';
import { decodeText } from '../../src/io/decode.js';
import { parseAuditpol } from '../../src/environment/auditpol.js';
import { ROOT } from '../helpers.js';

const catalog = loadCatalog();
const DIR = join(ROOT, 'test/fixtures/real/auditpol');
const bytes = (name: string) => readFileSync(join(DIR, name));
const text = (name: string) => decodeText(bytes(name));
const G = (short: string) => `{0CCE${short}-69AE-11D9-BED3-505054503030}`;

const WELA = 'wela-ja-chcp437-crcrlf.txt';
const DC = 'ws2019-dc-plain-utf16.txt';

describe('auditpol /get /category:* /r from a Japanese host, chcp 437, CR CR LF (WELA)', () => {
  const r = parseAuditpol(text(WELA), catalog);

  it('the file is what the issue describes: chcp line first, CR CR LF line ends, 59 GUID rows', () => {
    const raw = bytes(WELA).toString('latin1');
    expect(raw.startsWith('Active code page: 437\r\n')).toBe(true);
    expect(raw.match(/\r\r\n/g)?.length).toBe(60);
    expect(raw.match(/\{0CCE[0-9A-F]{4}-69AE-11D9-BED3-505054503030\}/g)?.length).toBe(59);
  });

  it('reads every GUID row, whatever the (garbled) names say', () => {
    expect(r.kind).toBe('effective');
    expect(r.computer).toBe('SAMURAI');
    expect(r.values.size).toBe(59);
    expect(r.values.get(G('9212'))).toBe(3); // line 4: ",,{0CCE9212…},Success and Failure," (System Integrity)
    expect(r.values.get(G('9210'))).toBe(1); // Security State Change: Success
    expect(r.values.get(G('9215'))).toBe(3); // Logon: Success and Failure
    expect(r.values.get(G('9243'))).toBe(3); // Network Policy Server, name "  "
    expect(r.values.get(G('9220'))).toBe(0); // the one English name left: SAM, No Auditing
    expect(r.values.get(G('923F'))).toBe(0); // last row: Credential Validation, No Auditing
  });

  it('says each tolerance once', () => {
    expect(r.notes).toEqual([
      '60 line end(s) are CR CR LF (a CRLF output redirected by cmd); each read as one line end',
      `skipped the code page line "Active code page: 437" before the output (chcp's)`,
      `58 row(s) name their subcategory otherwise than auditpol's English names (another language, or letters lost to the console code page, e.g. "IPsec"): read by their GUID`,
    ]);
  });

  // Variants built here from the real bytes (no public capture of each was found): what a transcript adds.
  it('a PowerShell prompt before and after it', () => {
    const t = `PS C:\\Users\\admin> auditpol /get /category:* /r\r\n${text(WELA)}PS C:\\Users\\admin> \r\n`;
    const v = parseAuditpol(t, catalog);
    expect(v.values).toEqual(r.values);
    expect(v.notes.join('\n')).toMatch(/skipped 1 prompt line\(s\) before the output \("PS C:\\Users\\admin> auditpol/);
    expect(v.notes.join('\n')).toMatch(/removed 1 prompt line\(s\) inside or after the output/);
  });

  it('two captures appended (>> with a second BOM): the second header and chcp line are not rows', () => {
    const v = parseAuditpol(decodeText(Buffer.concat([bytes(WELA), Buffer.from([0xef, 0xbb, 0xbf]), bytes(WELA)])), catalog);
    expect(v.values).toEqual(r.values);
    const notes = v.notes.join('\n');
    expect(notes).toMatch(/1 byte order mark\(s\) inside the file removed/);
    expect(notes).toMatch(/removed 1 code page line\(s\) inside the output/);
    expect(notes).toMatch(/1 repeated header line\(s\) skipped/);
    expect(notes).not.toMatch(/not in the catalog/);
  });

  it('cut off inside "Success and Failure": that row is not read as "Success"', () => {
    const t = text(WELA);
    const cut = t.slice(0, t.indexOf('{0CCE9243') + '{0CCE9243-69AE-11D9-BED3-505054503030},Success'.length);
    const v = parseAuditpol(cut, catalog);
    expect(v.values.has(G('9243'))).toBe(false);
    expect(v.values.get(G('9215'))).toBe(3);
    expect(v.notes.join('\n')).toMatch(/ends inside a line \(cut off\?\)/);
  });
});

describe('plain auditpol /get /category:* of a Server 2019 DC (UTF-16, blank line after each row)', () => {
  const r = parseAuditpol(text(DC), catalog);

  it('finds all 59 subcategories by their English names; no computer name in this output', () => {
    expect(r.values.size).toBe(59);
    expect(r.computer).toBe('');
    expect(r.values.get(G('923F'))).toBe(3); // last row: "Credential Validation   Success and Failure"
    expect(r.values.get(G('9215'))).toBe(0); // "Logon   No Auditing"
    expect(r.values.get(G('922B'))).toBe(0); // Process Creation
    expect(r.notes).toEqual(['plain auditpol text (no GUIDs): 59 subcategories found by their English names; a subcategory it does not list is unknown']);
  });

  it('an unknown English name is a note and that row stays unknown; the rest is read', () => {
    const t = text(DC).replace('  Logoff ', '  Logoffs');
    const v = parseAuditpol(t, catalog);
    expect(v.values.size).toBe(58);
    expect(v.values.has(G('9216'))).toBe(false);
    expect(v.notes.join('\n')).toMatch(/subcategory "Logoffs" is not a name auditpol prints in English/);
  });

  it('cut off inside the last row: not read as a shorter setting', () => {
    const t = text(DC);
    const v = parseAuditpol(t.slice(0, t.lastIndexOf('Success and Failure') + 'Success'.length), catalog);
    expect(v.values.has(G('923F'))).toBe(false);
    expect(v.values.size).toBe(58);
  });

  // Hand-written (no public capture of a localized table was found): German words in the table's layout.
  it('the table in another language: one error that says to use /r', () => {
    const de = [
      'Systemüberwachungsrichtlinie',
      'Kategorie/Unterkategorie                  Einstellung',
      'System',
      '  Sicherheitssystemerweiterung            Keine Überwachung',
      '  Systemintegrität                        Erfolg und Fehler',
      '  IPsec-Treiber                           Keine Überwachung',
      '',
    ].join('\r\n');
    expect(() => parseAuditpol(de, catalog)).toThrow('auditpol text in a language other than English: run auditpol /get /category:* /r (the /r CSV has GUIDs)');
  });
});
