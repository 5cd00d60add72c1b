/** `collector-config`: the smallest collector configuration that forwards what the rules need. */
import { loadCatalog } from '../catalog/load.js';
import type { CollectorFormat } from '../environment/collectors.js';
import { formatRanges } from '../environment/forwarded.js';
import { decodeText, MAX_INPUT_FILE, readBounded } from '../decode.js';
import { terminalLine } from '../escape.js';
import { collectorNeeds, generateCollectorConfig, roundTrip, roundTripMerged, type Needs } from '../generate/collector-config.js';
import { mergeDcr } from '../generate/dcr.js';
import { mergeElasticAgent } from '../generate/elastic-agent.js';
import { runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface CollectorCliOptions extends RuleAndHostCliOptions {
  format: CollectorFormat;
  out?: string;
  /** An existing DCR or Elastic Agent policy to add to (nothing in it is removed). */
  base?: string;
}

const MERGERS: Partial<Record<CollectorFormat, typeof mergeDcr>> = { dcr: mergeDcr, 'elastic-agent': mergeElasticAgent };

export async function collectorConfig(paths: string[], opts: CollectorCliOptions): Promise<void> {
  const merge = opts.base === undefined ? undefined : MERGERS[opts.format];
  if (opts.base !== undefined && !merge) throw new UsageError(`--base works with --format ${Object.keys(MERGERS).join(' or ')}, not ${opts.format}`);
  let baseText: string | undefined;
  if (opts.base !== undefined) {
    try {
      baseText = decodeText(readBounded(opts.base, MAX_INPUT_FILE));
    } catch (e) {
      throw new UsageError(`cannot read ${opts.base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const { result } = await runValidated(paths, { ...opts, gpresult: [], auditpol: [], sysmon: [], collector: [] });
  const catalog = loadCatalog();
  const needs = collectorNeeds(result, catalog);
  if (!needs.size) throw new UsageError('no rule in the set reads a Windows event channel');
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  let text: string;
  let shown = needs;
  let overlap: Needs = new Map();
  if (merge && baseText !== undefined) {
    let merged;
    try {
      merged = merge(baseText, needs, catalog);
    } catch (e) {
      throw new UsageError(`--base ${opts.base}: ${(e as Error).message}`);
    }
    text = merged.text;
    shown = merged.added;
    overlap = merged.overlap;
    const problems = roundTripMerged(text, opts.format, needs, baseText, catalog);
    if (problems.length) throw new Error(`${opts.format} merged into ${opts.base} does not re-read to what the rules need: ${problems.join('; ')}`);
  } else {
    text = generateCollectorConfig(needs, catalog, opts.format);
    const problems = roundTrip(text, opts.format, needs, catalog);
    if (problems.length) throw new Error(`generated ${opts.format} does not re-read to what the rules need: ${problems.join('; ')}`);
  }
  if (opts.out) {
    writeOrFail(opts.out, text);
  } else process.stdout.write(text);
  if (baseText !== undefined) {
    log(`${opts.out ? `wrote ${opts.out}` : opts.format}: ${opts.base} plus ${shown.size} channel(s) it did not forward; re-read: forwards every needed event and all the base did`);
    if (!shown.size) log('  nothing to add: the base already forwards what the rules need (output = base)');
  } else log(`${opts.out ? `wrote ${opts.out}` : opts.format} for ${needs.size} channel(s); re-read: forwards exactly what the rules need`);
  for (const n of [...shown.values()].sort((a, b) => a.channel.localeCompare(b.channel))) log(`  ${n.channel}: ${formatRanges(n.ids)}`);
  for (const n of overlap.values()) log(`check before deploying: the base may already forward ${n.channel} ${formatRanges(n.ids)} (a filter or processor decides); if it does, these events arrive twice`);
}
