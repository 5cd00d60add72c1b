/** `collector-config`: the smallest collector configuration that forwards what the rules need. */
import { loadCatalog } from '../catalog/load.js';
import type { CollectorFormat } from '../environment/collectors.js';
import { formatRanges } from '../environment/forwarded.js';
import { decodeText, MAX_INPUT_FILE, readBounded, readText } from '../io/decode.js';
import { terminalLine } from '../escape.js';
import { collectorNeeds, generateCollectorConfig, roundTrip, roundTripMerged, type Needs } from '../generate/collector-config.js';
import { mergeDcr } from '../generate/dcr.js';
import { mergeElasticAgent } from '../generate/elastic-agent.js';
import { mergeSplunkInputs } from '../generate/splunk-inputs.js';
import { EXIT, runValidated, UsageError, writeOrFail, type RuleAndHostCliOptions } from './common.js';

export interface CollectorCliOptions extends RuleAndHostCliOptions {
  format: CollectorFormat;
  out?: string;
  /** An existing configuration to add to, nothing in it removed: an inputs.conf (splunk), a DCR or an Elastic Agent policy. */
  base?: string;
}

const MERGERS: Partial<Record<CollectorFormat, typeof mergeDcr>> = { dcr: mergeDcr, 'elastic-agent': mergeElasticAgent };

export async function collectorConfig(paths: string[], opts: CollectorCliOptions): Promise<void> {
  const splunkBase = opts.format === 'splunk';
  const merge = opts.base === undefined || splunkBase ? undefined : MERGERS[opts.format];
  if (opts.base !== undefined && !merge && !splunkBase)
    throw new UsageError(`--base works with --format splunk, ${Object.keys(MERGERS).join(' or ')}, not ${opts.format}`);
  let baseText: string | undefined;
  if (opts.base !== undefined && !splunkBase) {
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
  if (opts.base !== undefined && opts.format === 'splunk') return mergeInto(opts.base, needs, opts);
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
    log(
      `${opts.out ? `wrote ${opts.out}` : opts.format}: ${opts.base} plus ${shown.size} channel(s) it did not forward; re-read: forwards every needed event and all the base did`,
    );
    if (!shown.size) log('  nothing to add: the base already forwards what the rules need (output = base)');
  } else log(`${opts.out ? `wrote ${opts.out}` : opts.format} for ${needs.size} channel(s); re-read: forwards exactly what the rules need`);
  for (const n of [...shown.values()].sort((a, b) => a.channel.localeCompare(b.channel))) log(`  ${n.channel}: ${formatRanges(n.ids)}`);
  for (const n of overlap.values())
    log(
      `check before deploying: the base may already forward ${n.channel} ${formatRanges(n.ids)} (a filter or processor decides); if it does, these events arrive twice`,
    );
}

/** --base: the needs merged into an existing inputs.conf; what could not be made sure is listed (exit 1). */
function mergeInto(base: string, needs: Needs, opts: CollectorCliOptions): void {
  if (opts.format !== 'splunk') throw new UsageError('--base is for --format splunk (an inputs.conf to merge into)');
  const load = (path: string) => {
    try {
      return readText(path, MAX_INPUT_FILE);
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const text = load(base);
  // --collector files are the forwarder's other inputs.conf layers: the merge is judged together with them.
  const layers = (opts.collector ?? []).map((path) => ({ path, content: load(path) }));
  let merged;
  try {
    merged = mergeSplunkInputs(text, base, needs, layers);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (opts.out) writeOrFail(opts.out, merged.text);
  else process.stdout.write(merged.text);
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  log(`${opts.out ? `wrote ${opts.out}: ` : ''}${base} merged for ${needs.size} channel(s); nothing removed (replaced lines kept as comments)`);
  if (!layers.length)
    log(
      'note: no other inputs.conf layer given (--collector): a layer of higher precedence can still override what is written here; check with `splunk btool inputs list --debug`',
    );
  else log(`judged together with ${layers.map((l) => l.path).join(', ')}`);
  for (const c of merged.changes) log(`  ${c}`);
  if (!merged.changes.length) log('  no change: every needed event is already forwarded');
  if (merged.problems.length) {
    log(`re-read: ${merged.problems.length} need(s) not surely forwarded:`);
    for (const p of merged.problems) log(`  ${p}`);
    process.exitCode = EXIT.gate;
  } else log('re-read: every needed event is forwarded');
}
