import { Assessor, type Assessment } from './assess/assess.js';
import type { VolumeOptions } from './assess/volume.js';
import { loadCatalog } from './catalog/load.js';
import { withMappings, type MappingInput } from './catalog/mappings.js';
import { hasEnvironmentInputs, streamEnvironment, type Environment, type EnvironmentInputs } from './environment/load.js';
import type { HostEnvironment } from './environment/model.js';
import { withReadiness } from './result/readiness.js';
import { addEvidence } from './evidence.js';
import { loadObservations, type ObservationLoad } from './observe/load.js';
import { addRuleFields, buildResult, type CheckResult } from './result/result.js';
import { resolveAll } from './requirements/resolve.js';
import { fastParser } from './cache/caching-parser.js';
import { loadRules, type LoadOptions, type LoadResult } from './rules/load.js';
import type { LoadNote } from './rules/model.js';
import { VERSION } from './version.js';
import { append } from './lines.js';
import { checkUsable } from './check-usable.js';
import { MeasuredIndex } from './assess/measured-cost.js';
import { hostLogSizes, type HostLogSizes } from './assess/retention.js';
import { withMeasured } from './result/measured.js';

export interface CheckOptions extends Omit<LoadOptions, 'parse'> {
  /** Directory of the parse cache; false disables it. */
  cacheDir?: string | false;
  workers?: boolean;
  dataDir?: string;
  /** What the hosts have; without it the report lists requirements only. */
  environment?: EnvironmentInputs;
  /** Take what the inputs do not state at its Windows default. */
  assumeDefaults?: boolean;
  /** The user's own log-source mappings (--mapping) and pySigma pipelines (--pipeline). */
  mappings?: MappingInput[];
  /** What actually arrived (--observed): EVTX files, event-count CSVs, search responses, or folders of them. */
  observed?: string[];
  /** Volume budget and ranking of the fixes (--max-volume, --rank). */
  volume?: VolumeOptions;
  /** Keep every host's model in the run (fix writes per-host files); otherwise hosts are summarised as read. */
  keepHosts?: boolean;
  /**
   * Called after each host is assessed. The CLI uses it to let a fleet tune V8's memory (commands/memory.ts sets
   * process-wide V8 flags, so the library never does; a program decides for itself).
   */
  onHost?: () => void;
  /**
   * false: return whatever the inputs gave, even a run that cannot stand for what was asked (a missing path, no
   * usable host input, no rule). By default such a run throws UnusableInputError (check-usable.ts).
   */
  validate?: boolean;
}

export interface CheckRun {
  result: CheckResult;
  load: LoadResult;
  environment?: Environment;
  observations?: ObservationLoad;
  /** With keepHosts: every host's verdicts (fix writes per-host files from them). */
  assessment?: Assessment;
  /** The parse cache refused or a shard of it discarded (also in result.notes): the CLI says them on stderr. */
  cacheNotes?: LoadNote[];
}

/** The whole pipeline for one invocation: rules → requirements → (environment → verdicts) → one result object. */
export async function runCheck(paths: readonly string[], options: CheckOptions = {}): Promise<CheckRun> {
  const run = await pipeline(paths, options);
  if (options.validate !== false) checkUsable(paths, run);
  return run;
}

async function pipeline(paths: readonly string[], options: CheckOptions): Promise<CheckRun> {
  const mapped = withMappings(loadCatalog(options.dataDir), options.mappings ?? []);
  const catalog = mapped.catalog;
  const cacheNotes: LoadNote[] = [];
  const parser = fastParser({ cacheDir: options.cacheDir ?? false, workers: options.workers, onNote: (path, message) => cacheNotes.push({ path, message }) });
  const load = await loadRules(paths, { ...options, parse: parser });
  // Resolutions of unchanged rules come from the cache, keyed by the catalog's content; a catalog changed by
  // --mapping/--pipeline (version "custom") is resolved afresh every time.
  const catalogKey = options.mappings?.length || catalog.version === 'custom' ? undefined : catalog.version;
  const resolutions = parser.resolveAll(load.rules, catalogKey, (rules) => resolveAll(rules, catalog));
  const result = buildResult(load, resolutions, catalog, VERSION);
  append(
    result.notes,
    mapped.notes.map((n) => ({ path: n.split(':')[0] ?? '', message: n.slice(n.indexOf(':') + 1).trim() })),
  );
  append(result.notes, cacheNotes);
  const observations = options.observed?.length ? loadObservations(options.observed) : undefined;
  // Field evidence judges the fields each rule reads; without --observed they are never read (cached rules stay unparsed).
  if (observations) addRuleFields(result, load, resolutions);
  // Evidence also measures what each fix costs (events/day, bytes/day) and how long each log holds.
  const measured = observations ? new MeasuredIndex(observations, catalog) : undefined;
  const volume: VolumeOptions = { ...options.volume, ...(measured ? { measured } : {}) };
  // Evidence joins whatever the run has: the hosts' verdicts, or the observations alone.
  const observe = (run: CheckRun, a?: Parameters<typeof addEvidence>[2]): CheckRun => ({
    ...(observations ? { ...run, result: addEvidence(run.result, observations, a), observations } : run),
    cacheNotes,
  });
  if (!options.environment || !hasEnvironmentInputs(options.environment)) return observe({ result, load });

  // Hosts are streamed into the assessment: a fleet is summarised as it is read, never held whole. Evidence
  // shows each host's own reasons and fix writes per-host files: both keep each host's states.
  const stream = streamEnvironment(options.environment, catalog);
  const assessor = new Assessor(result, catalog, load.rules, { assumeDefaults: options.assumeDefaults }, volume, {
    keepStates: Boolean(observations) || Boolean(options.keepHosts),
  });
  const kept: HostEnvironment[] = [];
  const sizes: HostLogSizes[] = [];
  for (const host of stream.hosts) {
    if (options.keepHosts) kept.push(host);
    if (measured) sizes.push(hostLogSizes(host));
    assessor.add(host);
    options.onHost?.();
  }
  const environment: Environment = { ...stream.env, hosts: kept };
  append(result.errors, environment.errors);
  result.summary.errors = result.errors.length;
  if (!environment.hostCount) return observe({ result, load, environment });
  const assessment = assessor.finish();
  return observe(
    {
      result: withMeasured(withReadiness(result, assessment, catalog, environment.identity), measured, sizes),
      load,
      environment,
      ...(options.keepHosts ? { assessment } : {}),
    },
    assessment,
  );
}
