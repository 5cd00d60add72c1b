/** What every command shares: its options, reading the rule set and the host inputs, usage errors. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MappingError, type MappingInput } from '../catalog/mappings.js';
import { runCheck, type CheckRun } from '../check.js';
import { UnusableInputError } from '../check-usable.js';
import { FleetMemory } from './memory.js';
import { decodeText, MAX_INPUT_FILE, readBounded } from '../io/decode.js';
import type { CollectorFormat } from '../environment/collectors.js';
import { parseRoleOption } from '../environment/load.js';
import { terminalLine } from '../escape.js';
import { writeOutput } from '../limits.js';
import { defaultCacheDir } from '../cache/caching-parser.js';
import { OptionError } from '../rules/load.js';
import type { RankMode } from '../assess/volume.js';
import type { VolumeClass } from '../catalog/volume.js';

/** Exit codes: 0 done (per-file errors are listed, not fatal), 1 gate failure, 2 unusable invocation or input. */
export const EXIT = { ok: 0, gate: 1, usage: 2, internal: 3 } as const;

/** An unusable invocation or input: one line on stderr, exit 2. */
export class UsageError extends Error {}

export interface RuleAndHostCliOptions {
  mapping?: string[];
  pipeline?: string[];
  minStatus?: string;
  allStatuses?: boolean;
  minLevel?: string;
  include?: string[];
  exclude?: string[];
  cache: boolean;
  gpresult?: string[];
  gpo?: string[];
  auditpol?: string[];
  sysmon?: string[];
  collector?: string[];
  collectorFormat?: CollectorFormat;
  host?: string[];
  role?: string[];
  assumeDefaults?: boolean;
  /** --observed: what actually arrived (check only). */
  observed?: string[];
  maxVolume?: VolumeClass;
  rank?: RankMode;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function collectRole(value: string, previous: string[] = []): string[] {
  try {
    parseRoleOption(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--role "[^"]*": /, ''));
  }
  return [...previous, value];
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new InvalidArgumentError('a whole number is expected');
  return n;
}

export function parsePercent(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('a percentage from 0 to 100 is expected');
  return n;
}

/** Options of every command that reads a rule set. */
/** optional: the paths may be left out (collect-script without a rule set). */
export function ruleOptions(cmd: Command, optional = false): Command {
  return cmd
    .argument(optional ? '[paths...]' : '<paths...>', 'rule files, directories (recursive) or .zip archives')
    .option(
      '--min-status <status>',
      'keep rules with at least this status (unsupported < deprecated < experimental < test < stable); default: all but deprecated and unsupported',
    )
    .option('--all-statuses', 'keep rules of every status, deprecated and unsupported included')
    .option('--min-level <level>', 'keep rules with at least this level (informational < low < medium < high < critical)')
    .option('--include <glob>', 'only rule files matching this glob (repeatable; without "/" it matches the file name)', collect)
    .option('--exclude <glob>', 'skip rule files matching this glob (repeatable)', collect)
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/logsource-check)')
    .option('--mapping <file>', "your own log-source entries in the catalog schema (logsources: …), added to or replacing the catalog's (repeatable)", collect)
    .option(
      '--pipeline <file>',
      'a pySigma processing pipeline: add_condition transformations with logsource rule conditions map custom log sources (repeatable)',
      collect,
    );
}

/** Options of the commands that compare the rule set with what hosts have. */
export function hostOptions(cmd: Command): Command {
  return cmd
    .option(
      '--host <dir|zip>',
      'host snapshot written by the collection script (logsource-check collect-script): a folder, a .zip of it, or a folder of them = a fleet (repeatable)',
      collect,
    )
    .option('--gpresult <file|dir>', 'gpresult /x XML of a host (repeatable; a directory: every .xml in it, one host each)', collect)
    .option(
      '--gpo <dir|file>',
      'a GPO before it is deployed: a GPMC backup folder ({GUID} with Backup.xml), a folder of backups, or a Get-GPOReport -ReportType Xml file. Repeatable, in link order (first = highest precedence): together they make one virtual host, "what a host that gets only these GPOs has"',
      collect,
    )
    .option('--auditpol <file>', 'auditpol /get /category:* /r output or a GPO backup audit.csv (repeatable; wins over gpresult for audit settings)', collect)
    .option('--sysmon <file>', 'Sysmon configuration XML deployed on the host(s): its filters are simulated per rule', collect)
    .option(
      '--collector <file|dir>',
      "collector configuration: WEF subscription XML, QueryList, nxlog.conf, winlogbeat.yml, Splunk inputs.conf / btool output, Azure Monitor DCR (JSON) or Elastic Agent policy; or sentinel-all, sentinel-common, sentinel-minimal for Sentinel's Windows Security Events sets (repeatable; together they form what is forwarded)",
      collect,
    )
    .addOption(
      new Option('--collector-format <format>', 'format of every --collector file instead of detecting it').choices([
        'wef',
        'querylist',
        'nxlog',
        'winlogbeat',
        'splunk',
        'dcr',
        'elastic-agent',
      ]),
    )
    .option(
      '--role <[host=]roles>',
      'what a host is: workstation, server or dc, plus server roles ca, nps, dns, iis, exchange, adfs, wsus and products sql-server, screenconnect (comma-separated; HOST= for one host of a fleet; repeatable). Stated roles are complete',
      collectRole,
    )
    .option(
      '--assume-defaults',
      'take whatever the inputs do not state at its Windows default (the Windows default audit policy of the host edition, Sysmon not installed, channels at their default state, no SACLs, no server role); said once in the output',
    );
}

/** How the ranked fixes (and so the fix files) weigh event volume: a budget, and an order by volume. */
export function rankingOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--max-volume <class>',
        "keep only fixes whose settings stay within this event volume (Microsoft's and the catalog's rating); the ranked list and the fix files leave the others out and say which (fix: default medium; check: no budget)",
      ).choices(['low', 'medium', 'high']),
    )
    .addOption(
      new Option(
        '--rank <order>',
        'order of the ranked fixes: rules (rules unlocked per setting, the default) or value (rules unlocked per volume weight: low 1, medium 3, high 9; unrated as high)',
      ).choices(['rules', 'value']),
    );
}

/** Evidence of what actually arrives (check): see docs/evidence.md. */
export function evidenceOptions(cmd: Command): Command {
  return cmd.option(
    '--observed <path>',
    'what actually arrived: .evtx files, event-count CSVs (Hayabusa eid-metrics, Splunk, Sentinel) or Elasticsearch/OpenSearch search responses (.json), or folders of them (repeatable); joined with the verdicts, or judged alone without host inputs',
    collect,
  );
}

/** --mapping and --pipeline files, read within the input size limit. */
export function readMappings(opts: RuleAndHostCliOptions): MappingInput[] {
  const read = (path: string, kind: MappingInput['kind']): MappingInput => {
    try {
      return { path, text: decodeText(readBounded(path, MAX_INPUT_FILE)), kind };
    } catch (e) {
      throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return [...(opts.mapping ?? []).map((p) => read(p, 'mapping')), ...(opts.pipeline ?? []).map((p) => read(p, 'pipeline'))];
}

/** Runs the pipeline and turns every unusable-input condition into a UsageError (exit 2). */
export async function runValidated(paths: string[], opts: RuleAndHostCliOptions, more: { keepHosts?: boolean } = {}): Promise<CheckRun> {
  const progress = makeProgress();
  const memory = new FleetMemory();
  let run: CheckRun;
  try {
    run = await runCheck(paths, {
      ...more,
      // Memory should follow what is alive, not the garbage of thousands of hosts (commands/memory.ts).
      onHost: () => memory.tick(),
      minStatus: opts.minStatus,
      allStatuses: opts.allStatuses,
      minLevel: opts.minLevel,
      include: opts.include,
      exclude: opts.exclude,
      cacheDir: opts.cache ? cacheDir() : false,
      onProgress: progress.update,
      mappings: readMappings(opts),
      environment: {
        host: opts.host,
        gpresult: opts.gpresult,
        gpo: opts.gpo,
        auditpol: opts.auditpol,
        sysmon: opts.sysmon,
        collector: opts.collector,
        collectorFormat: opts.collectorFormat,
        roles: opts.role,
      },
      assumeDefaults: opts.assumeDefaults,
      observed: opts.observed,
      volume: { maxVolume: opts.maxVolume, rank: opts.rank },
    });
  } catch (e) {
    if (e instanceof OptionError || e instanceof MappingError || e instanceof UnusableInputError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
  // The run went on without the cache (or without one shard of it): said where a table or a report file
  // cannot hide it.
  for (const n of run.cacheNotes ?? []) process.stderr.write(`logsource-check: note: ${terminalLine(`${n.path}: ${n.message}`)}\n`);
  return run;
}

/** A one-line progress counter on stderr, only on a terminal. */
export function makeProgress(): { update: (done: number, total: number) => void; done: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update: (done, total) => {
      if (total < 200) return;
      shown = true;
      process.stderr.write(`\rparsing rules ${done}/${total}…`);
    },
    done: () => {
      if (shown) process.stderr.write('\r\u001b[K');
    },
  };
}

/** Where the parse cache lives: LOGSOURCE_CHECK_CACHE_DIR, else the user's cache directory. */
export function cacheDir(): string {
  return process.env['LOGSOURCE_CHECK_CACHE_DIR'] || defaultCacheDir();
}

/** Writes a command's output file; a failure is the user's to fix (exit 2), not an internal error. */
export function writeOrFail(path: string, text: string | Uint8Array | Iterable<string>): void {
  try {
    writeOutput(path, text);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
