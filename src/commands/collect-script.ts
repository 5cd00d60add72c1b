/**
 * `collect-script [rules...]`: the read-only host snapshot script. With a rule set, the ps1 also reads the
 * audit SACLs of the registry keys and folders those rules watch (sacls.txt); the cmd script cannot (cmd.exe
 * has no SACL reader) and says so.
 */
import { loadCatalog } from '../catalog/load.js';
import { terminalLine } from '../escape.js';
import { collectScript, collectScriptFile } from '../generate/collect-script.js';
import { watchedTargets } from '../generate/collect-sacls.js';
import type { SaclTargets } from '../generate/sacl-script.js';
import { runValidated, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface CollectScriptCliOptions extends RuleAndHostCliOptions {
  format: 'cmd' | 'ps1';
  out?: string;
}

export async function collectScriptCommand(paths: string[], opts: CollectScriptCliOptions): Promise<void> {
  let targets: SaclTargets | undefined;
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  if (paths.length) {
    const { result, load } = await runValidated(paths, { ...opts, host: [], gpresult: [], auditpol: [], sysmon: [], collector: [] });
    targets = watchedTargets(load.rules, result.rules, loadCatalog());
    const n = targets.registry.size + targets.file.size;
    if (opts.format === 'cmd')
      log(`note: the rules watch ${n} registry key(s) / folder(s); their SACLs (sacls.txt) are read by the ps1 script only (--format ps1)`);
    else
      log(
        `sacls.txt: the script reads the audit SACLs of ${targets.registry.size} registry key(s) and ${targets.file.size} folder(s) the rules watch${targets.skipped ? ` (${targets.skipped} rule value(s) name no fixed key or folder)` : ''}`,
      );
  }
  if (!opts.out) {
    process.stdout.write(collectScript(opts.format, targets));
    return;
  }
  writeOrFail(opts.out, collectScriptFile(opts.format, targets)); // CRLF; .ps1 UTF-8 with a BOM, .cmd ASCII (src/encode.ts)
  log(`wrote ${opts.out}`);
}
