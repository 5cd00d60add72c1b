/** `sysmon-config`: a Sysmon configuration that logs what the rules need. */
import { loadCatalog } from '../catalog/load.js';
import { decodeText, MAX_INPUT_FILE, readBounded } from '../io/decode.js';
import { SysmonConfigError } from '../environment/sysmon.js';
import { XmlError } from '../environment/xml.js';
import { terminalLine } from '../escape.js';
import { generateSysmonConfig, type SysmonMode } from '../generate/sysmon-config.js';
import { renderSnippets, sysmonNeeds, verifyGenerated } from '../generate/sysmon-cli.js';
import { runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface SysmonCliOptions extends RuleAndHostCliOptions {
  mode: SysmonMode;
  base?: string;
  schema?: string;
  forRule?: boolean;
  allowEnforcement?: boolean;
  out?: string;
}

export async function sysmonConfig(paths: string[], opts: SysmonCliOptions): Promise<void> {
  if (opts.schema !== undefined && !/^\d+\.\d+$/.test(opts.schema)) throw new UsageError(`--schema "${opts.schema}" is not a version number such as 4.90`);
  const { result, load } = await runValidated(paths, { ...opts, gpresult: [], auditpol: [], sysmon: [] });
  const catalog = loadCatalog();
  const needs = sysmonNeeds(load.rules, result);
  if (!needs.length) throw new UsageError('no rule in the set needs a Sysmon event type');
  if (opts.forRule) {
    process.stdout.write(renderSnippets(needs, catalog, opts.allowEnforcement));
    return;
  }
  let base: { path: string; text: string } | undefined;
  if (opts.base) {
    try {
      base = { path: opts.base, text: decodeText(readBounded(opts.base, MAX_INPUT_FILE)) };
    } catch (e) {
      throw new UsageError(`cannot read ${opts.base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let generated;
  try {
    generated = generateSysmonConfig(needs, catalog, { mode: opts.mode, schema: opts.schema, base, allowEnforcement: opts.allowEnforcement });
  } catch (e) {
    if (e instanceof SysmonConfigError) throw new UsageError(`${opts.base}: ${e.message}`);
    if (e instanceof XmlError) throw new UsageError(`${opts.base}: ${e.message}`);
    throw new UsageError((e as Error).message);
  }
  const check = verifyGenerated(generated.xml, needs, catalog);
  if (opts.out) {
    writeOrFail(opts.out, generated.xml);
  } else process.stdout.write(generated.xml);
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  log(`${opts.out ? `wrote ${opts.out}` : 'config'} (schema ${generated.schemaVersion}, ${opts.base ? `merged into ${opts.base}` : opts.mode})`);
  for (const a of generated.added) log(`  added: ${a}`);
  if (!generated.added.length) log('  nothing to add: the base already logs every event type the rules need');
  for (const n of generated.notes) log(`  note: ${n}`);
  log(`  re-parsed: ${check}`);
}
