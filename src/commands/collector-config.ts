/** `collector-config`: the smallest collector configuration that forwards what the rules need. */
import { loadCatalog } from '../catalog/load.js';
import type { CollectorFormat } from '../environment/collectors.js';
import { formatRanges } from '../environment/forwarded.js';
import { terminalLine } from '../escape.js';
import { collectorNeeds, generateCollectorConfig, roundTrip } from '../generate/collector-config.js';
import { runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface CollectorCliOptions extends RuleAndHostCliOptions {
  format: CollectorFormat;
  out?: string;
}

export async function collectorConfig(paths: string[], opts: CollectorCliOptions): Promise<void> {
  const { result } = await runValidated(paths, { ...opts, gpresult: [], auditpol: [], sysmon: [], collector: [] });
  const catalog = loadCatalog();
  const needs = collectorNeeds(result, catalog);
  if (!needs.size) throw new UsageError('no rule in the set reads a Windows event channel');
  const text = generateCollectorConfig(needs, catalog, opts.format);
  const problems = roundTrip(text, opts.format, needs, catalog);
  if (problems.length) throw new Error(`generated ${opts.format} does not re-read to what the rules need: ${problems.join('; ')}`);
  if (opts.out) {
    writeOrFail(opts.out, text);
  } else process.stdout.write(text);
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  log(`${opts.out ? `wrote ${opts.out}` : opts.format} for ${needs.size} channel(s); re-read: forwards exactly what the rules need`);
  for (const n of [...needs.values()].sort((a, b) => a.channel.localeCompare(b.channel))) log(`  ${n.channel}: ${formatRanges(n.ids)}`);
}

