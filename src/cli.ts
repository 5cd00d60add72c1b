#!/usr/bin/env node
/** Command line: wires commander to the pipeline and the renderers; no logic of its own. */
import { LimitError, makeOutputDir, writeOutput } from './limits.js';
import { terminalLine } from './escape.js';
import { dirname, join, relative } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CatalogError } from './catalog/validate.js';
import { MappingError, type MappingInput } from './catalog/mappings.js';
import { loadCatalog } from './catalog/load.js';
import { runCheck, type CheckRun } from './check.js';
import { buildRemediation } from './generate/remediation.js';
import { generateSysmonConfig, type SysmonMode } from './generate/sysmon-config.js';
import { renderSnippets, sysmonNeeds, verifyGenerated } from './generate/sysmon-cli.js';
import { decodeText, MAX_INPUT_FILE, readBounded } from './decode.js';
import { SysmonConfigError } from './environment/sysmon.js';
import { XmlError } from './environment/xml.js';
import type { CollectorFormat } from './environment/collectors.js';
import { parseRoleOption } from './environment/load.js';
import { formatRanges } from './environment/forwarded.js';
import { collectorNeeds, generateCollectorConfig, roundTrip } from './generate/collector-config.js';
import { buildGuides, guideIndex } from './generate/guides.js';
import { collectScript } from './generate/collect-script.js';
import { renderCsv } from './report/csv.js';
import { renderHtml } from './report/html.js';
import { renderNavigator } from './report/navigator.js';
import { renderSarif } from './report/sarif.js';
import { verdictLine } from './report/text.js';
import { renderJson } from './report/json.js';
import { renderMarkdown } from './report/markdown.js';
import { renderTable } from './report/table.js';
import { defaultCacheDir } from './rules/fastparse.js';
import { OptionError } from './rules/load.js';
import { VERSION } from './version.js';

/** Exit codes: 0 done (per-file errors are listed, not fatal), 1 gate failure, 2 unusable invocation or input. */
export const EXIT = { ok: 0, gate: 1, usage: 2 } as const;

class UsageError extends Error {}

const EXAMPLE = `
Examples:
  $ logsource-check rules/windows                                    requirements of a rule set, as a table
  $ logsource-check rules/ --format json -o report.json               the same as JSON (schemaVersion 1)
  $ logsource-check rules/ --gpresult host.xml --auditpol host.csv    which rules will fire on that host
  $ logsource-check rules/ --sysmon sysmonconfig.xml --collector wef/ Sysmon filters and forwarding too
  $ logsource-check rules/ --gpresult exports/ --fail-under 80        CI gate over a fleet
  $ logsource-check fix rules/ --gpresult host.xml --out remediation/
  $ logsource-check sysmon-config rules/ --mode targeted -o sysmon.xml

Exit codes: 0 done (files with errors are listed), 1 the --fail-under gate failed, 2 unusable invocation or input.`;

interface RuleAndHostCliOptions {
  mapping?: string[];
  pipeline?: string[];
  minStatus?: string;
  allStatuses?: boolean;
  minLevel?: string;
  include?: string[];
  exclude?: string[];
  cache: boolean;
  gpresult?: string[];
  auditpol?: string[];
  sysmon?: string[];
  collector?: string[];
  collectorFormat?: CollectorFormat;
  host?: string[];
  role?: string[];
  assumeDefaults?: boolean;
}

interface CheckCliOptions extends RuleAndHostCliOptions {
  format: 'table' | 'json' | 'markdown' | 'csv' | 'sarif' | 'navigator' | 'html';
  verbose?: boolean;
  output?: string;
  color?: boolean;
  failUnder?: number;
  top?: number;
}

interface FixCliOptions extends RuleAndHostCliOptions {
  out: string;
}

interface GuidesCliOptions {
  out: string;
  index?: string;
  rules?: string[];
}

interface CollectorCliOptions extends RuleAndHostCliOptions {
  format: CollectorFormat;
  out?: string;
}

interface SysmonCliOptions extends RuleAndHostCliOptions {
  mode: SysmonMode;
  base?: string;
  schema?: string;
  forRule?: boolean;
  out?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function collectRole(value: string, previous: string[] = []): string[] {
  try {
    parseRoleOption(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--role "[^"]*": /, ''));
  }
  return [...previous, value];
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new InvalidArgumentError('a whole number is expected');
  return n;
}

function parsePercent(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) throw new InvalidArgumentError('a percentage from 0 to 100 is expected');
  return n;
}

/** Options of every command that reads a rule set. */
function ruleOptions(cmd: Command): Command {
  return cmd
    .argument('<paths...>', 'rule files, directories (recursive) or .zip archives')
    .option('--min-status <status>', 'keep rules with at least this status (unsupported < deprecated < experimental < test < stable); default: all but deprecated and unsupported')
    .option('--all-statuses', 'keep rules of every status, deprecated and unsupported included')
    .option('--min-level <level>', 'keep rules with at least this level (informational < low < medium < high < critical)')
    .option('--include <glob>', 'only rule files matching this glob (repeatable; without "/" it matches the file name)', collect)
    .option('--exclude <glob>', 'skip rule files matching this glob (repeatable)', collect)
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/logsource-check)')
    .option('--mapping <file>', 'your own log-source entries in the catalog schema (logsources: …), added to or replacing the catalog\'s (repeatable)', collect)
    .option('--pipeline <file>', 'a pySigma processing pipeline: add_condition transformations with logsource rule conditions map custom log sources (repeatable)', collect);
}

/** Options of the commands that compare the rule set with what hosts have. */
function hostOptions(cmd: Command): Command {
  return cmd
    .option('--host <dir|zip>', 'host snapshot written by the collection script (logsource-check collect-script): a folder, a .zip of it, or a folder of them = a fleet (repeatable)', collect)
    .option('--gpresult <file|dir>', 'gpresult /x XML of a host (repeatable; a directory: every .xml in it, one host each)', collect)
    .option('--auditpol <file>', 'auditpol /get /category:* /r output or a GPO backup audit.csv (repeatable; wins over gpresult for audit settings)', collect)
    .option('--sysmon <file>', 'Sysmon configuration XML deployed on the host(s): its filters are simulated per rule', collect)
    .option('--collector <file|dir>', 'collector configuration: WEF subscription XML, QueryList, nxlog.conf or winlogbeat.yml (repeatable; together they form what is forwarded)', collect)
    .addOption(new Option('--collector-format <format>', 'format of every --collector file instead of detecting it').choices(['wef', 'querylist', 'nxlog', 'winlogbeat']))
    .option('--role <[host=]roles>', 'what a host is: workstation, server or dc, plus server roles ca, nps, dns, iis, exchange, adfs (comma-separated; HOST= for one host of a fleet; repeatable). Stated roles are complete', collectRole)
    .option('--assume-defaults', 'take whatever the inputs do not state at its Windows default (Sysmon not installed, channels at their default state, no SACLs, no server role); said once in the output');
}

function buildProgram(): Command {
  const program = new Command('logsource-check')
    .description('Tells which Windows logging settings a Sigma rule set needs: audit subcategories, Sysmon event types, policies and channels.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  hostOptions(ruleOptions(program.command('check', { isDefault: true })))
    .description('scan Sigma rules (files, directories, .zip archives) and report what they need; with --gpresult/--auditpol, which rules are ready')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'markdown', 'csv', 'sarif', 'navigator', 'html']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-v, --verbose', 'add per-rule detail')
    .option('--fail-under <pct>', 'exit 1 when ready % of applicable Windows rules is below PCT (on any host)', parsePercent)
    .option('--top <n>', 'ranked fixes shown in the table (default 10; --verbose shows all)', parseCount)
    .option('--no-color', 'no colour even on a terminal')
    .addHelpText('after', EXAMPLE)
    .action(async (paths: string[], opts: CheckCliOptions) => {
      await check(paths, opts);
    });

  hostOptions(ruleOptions(program.command('fix')))
    .description('write remediation files for what the host lacks: enable-audit.cmd, audit.csv, logging-policies.reg, enable-channels.cmd')
    .requiredOption('--out <dir>', 'directory to write the files into (created if needed)')
    .addHelpText('after', `
Example:
  $ logsource-check fix rules/windows --gpresult ws-0142.xml --out remediation/`)
    .action(async (paths: string[], opts: FixCliOptions) => {
      await fix(paths, opts);
    });
  ruleOptions(program.command('sysmon-config'))
    .description('write a Sysmon configuration that logs what the rules need (or merge it into --base)')
    .addOption(new Option('--mode <mode>', 'minimal: every needed event type, unfiltered; targeted: include filters from the rules').choices(['minimal', 'targeted']).default('minimal'))
    .option('--base <file>', 'an existing Sysmon config to add to (nothing in it is removed or reordered)')
    .option('--schema <version>', 'schemaversion to write (must know every event type needed)')
    .option('--for-rule', 'print a targeted snippet per rule instead of one config')
    .option('-o, --out <file>', 'write the config to a file instead of standard output')
    .addHelpText('after', `
Examples:
  $ logsource-check sysmon-config rules/windows --mode targeted -o sysmon.xml
  $ logsource-check sysmon-config rules/windows --base sysmonconfig-export.xml -o merged.xml`)
    .action(async (paths: string[], opts: SysmonCliOptions) => {
      await sysmonConfig(paths, opts);
    });
  ruleOptions(program.command('collector-config'))
    .description('write the smallest collector configuration that forwards what the rules need')
    .addOption(new Option('--format <format>', 'collector').choices(['wef', 'nxlog', 'winlogbeat', 'querylist']).makeOptionMandatory())
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .addHelpText('after', `
Examples:
  $ logsource-check collector-config rules/windows --format wef -o logsource-check-subscription.xml
  $ logsource-check collector-config rules/windows --format winlogbeat`)
    .action(async (paths: string[], opts: CollectorCliOptions) => {
      await collectorConfig(paths, opts);
    });
  program
    .command('collect-script')
    .description('print the read-only collection script a Windows admin runs on each host (its folder is read with --host)')
    .addOption(new Option('--format <format>', 'cmd (cmd.exe) or ps1 (PowerShell, can zip the folder)').choices(['cmd', 'ps1']).default('ps1'))
    .option('--out <file>', 'write the script to a file instead of standard output')
    .addHelpText('after', `
Examples:
  $ logsource-check collect-script --format ps1 --out collect-logsource.ps1
  $ logsource-check rules/ --host \\\\fileserver\\snapshots\\WS-0142       (after running it on WS-0142)`)
    .action((opts: { format: 'cmd' | 'ps1'; out?: string }) => {
      const text = collectScript(opts.format);
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      try {
        writeOutput(opts.out, text); // the generator writes CRLF, as cmd.exe and PowerShell 5 expect
      } catch (e) {
        throw new UsageError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      process.stderr.write(`wrote ${opts.out}\n`);
    });
  program
    .command('guides')
    .description('write one Markdown log-source guide per catalog category and service')
    .requiredOption('--out <dir>', 'directory for the guides (windows/category/*.md, windows/service/*.md, README.md)')
    .option('--index <file>', 'also write an index with links into --out (e.g. rules-documentation/README.md)')
    .option('--rules <path>', 'a rule set: each guide says how many of its rules use the log source', collect)
    .addHelpText('after', `
Example:
  $ logsource-check guides --out rules-documentation/logsource-guides --index rules-documentation/README.md`)
    .action(async (opts: GuidesCliOptions) => {
      await guides(opts);
    });
  program.addHelpText('after', EXAMPLE);
  return program;
}

/** --mapping and --pipeline files, read within the input size limit. */
function readMappings(opts: RuleAndHostCliOptions): MappingInput[] {
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
async function runValidated(paths: string[], opts: RuleAndHostCliOptions): Promise<CheckRun> {
  const progress = makeProgress();
  let run: CheckRun;
  try {
    run = await runCheck(paths, {
      minStatus: opts.minStatus,
      allStatuses: opts.allStatuses,
      minLevel: opts.minLevel,
      include: opts.include,
      exclude: opts.exclude,
      cacheDir: opts.cache ? process.env['LOGSOURCE_CHECK_CACHE_DIR'] || defaultCacheDir() : false,
      onProgress: progress.update,
      mappings: readMappings(opts),
      environment: { host: opts.host, gpresult: opts.gpresult, auditpol: opts.auditpol, sysmon: opts.sysmon, collector: opts.collector, collectorFormat: opts.collectorFormat, roles: opts.role },
      assumeDefaults: opts.assumeDefaults,
    });
  } catch (e) {
    if (e instanceof OptionError || e instanceof MappingError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
  const { result, load, environment } = run;
  const missing = [...load.missing, ...(environment?.missing ?? [])];
  if (missing.length) throw new UsageError(`no such file or directory: ${missing.join(', ')}`);
  if (environment && !environment.hosts.length) {
    throw new UsageError(`no usable environment input: ${environment.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || 'no files found'}`);
  }
  if (result.summary.rulesScanned === 0) {
    const why = load.errors.length ? ` (${load.errors.length} file error${load.errors.length > 1 ? 's' : ''}: ${load.errors[0]?.path}: ${load.errors[0]?.message})` : '';
    const skipped = load.skipped.status + load.skipped.level;
    throw new UsageError(`no Sigma rule found in ${paths.join(', ')}${skipped ? ` (${skipped} skipped by the status/level filter)` : ''}${why}`);
  }
  return run;
}

async function check(paths: string[], opts: CheckCliOptions): Promise<void> {
  if (opts.failUnder !== undefined && !opts.host?.length && !opts.gpresult?.length && !opts.auditpol?.length && !opts.sysmon?.length && !opts.collector?.length) {
    throw new UsageError('--fail-under needs an environment input (--host, --gpresult, --auditpol or --sysmon)');
  }
  const { result } = await runValidated(paths, opts);
  const toFile = opts.output !== undefined;
  const color = !toFile && opts.color !== false && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  const text =
    opts.format === 'json'
      ? renderJson(result)
      : opts.format === 'markdown'
        ? renderMarkdown(result, { verbose: opts.verbose })
        : opts.format === 'csv'
          ? renderCsv(result)
          : opts.format === 'sarif'
            ? renderSarif(result)
            : opts.format === 'navigator'
              ? renderNavigator(result)
              : opts.format === 'html'
                ? renderHtml(result)
                : renderTable(result, { verbose: opts.verbose, color, width: process.stdout.columns, top: opts.top });
  if (toFile) {
    try {
      writeOutput(opts.output as string, text);
    } catch (e) {
      throw new UsageError(`cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stderr.write(`report written to ${opts.output}\n`);
  } else {
    process.stdout.write(text);
  }
  if (opts.failUnder !== undefined && result.readiness) {
    const below = result.readiness.hosts.filter((h) => (h.summary.readiness ?? 0) < (opts.failUnder as number));
    if (below.length) {
      const list = terminalLine(below.slice(0, 10).map((h) => `${h.name} ${h.summary.readiness ?? 0}%`).join(', '));
      process.stderr.write(`logsource-check: readiness below ${opts.failUnder}% on ${below.length} host(s): ${list}${below.length > 10 ? ', …' : ''}\n`);
      process.exitCode = EXIT.gate;
    }
  }
}

async function fix(paths: string[], opts: FixCliOptions): Promise<void> {
  if (!opts.host?.length && !opts.gpresult?.length && !opts.auditpol?.length && !opts.sysmon?.length) throw new UsageError('fix needs what the host has: --host, --gpresult, --auditpol and/or --sysmon');
  const { result, environment, load } = await runValidated(paths, opts);
  const { files, notes } = buildRemediation(result, loadCatalog(), environment?.hosts, load.rules);
  try {
    makeOutputDir(opts.out);
    // Fixed file names joined to --out: nothing is written outside it.
    for (const f of files) writeOutput(join(opts.out, f.name), f.content);
  } catch (e) {
    throw new UsageError(e instanceof LimitError ? `cannot write into ${opts.out}: ${e.message}` : `cannot write into ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const rd = result.readiness;
  process.stdout.write(rd ? `readiness now: ${verdictLine(rd.verdicts, rd.hosts.length)}\n` : '');
  if (!files.length) process.stdout.write('nothing to write: no setting that a file can carry is missing\n');
  for (const f of files) process.stdout.write(`wrote ${join(opts.out, f.name)} (${f.settings} setting${f.settings === 1 ? '' : 's'})\n`);
  for (const n of notes) process.stdout.write(`note: ${terminalLine(n)}\n`);
}

async function sysmonConfig(paths: string[], opts: SysmonCliOptions): Promise<void> {
  if (opts.schema !== undefined && !/^\d+\.\d+$/.test(opts.schema)) throw new UsageError(`--schema "${opts.schema}" is not a version number such as 4.90`);
  const { result, load } = await runValidated(paths, { ...opts, gpresult: [], auditpol: [], sysmon: [] });
  const catalog = loadCatalog();
  const needs = sysmonNeeds(load.rules, result);
  if (!needs.length) throw new UsageError('no rule in the set needs a Sysmon event type');
  if (opts.forRule) {
    process.stdout.write(renderSnippets(needs, catalog));
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
    generated = generateSysmonConfig(needs, catalog, { mode: opts.mode, schema: opts.schema, base });
  } catch (e) {
    if (e instanceof SysmonConfigError) throw new UsageError(`${opts.base}: ${e.message}`);
    if (e instanceof XmlError) throw new UsageError(`${opts.base}: ${e.message}`);
    throw new UsageError((e as Error).message);
  }
  const check = verifyGenerated(generated.xml, needs, catalog);
  if (opts.out) {
    try {
      writeOutput(opts.out, generated.xml);
    } catch (e) {
      throw new UsageError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else process.stdout.write(generated.xml);
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  log(`${opts.out ? `wrote ${opts.out}` : 'config'} (schema ${generated.schemaVersion}, ${opts.base ? `merged into ${opts.base}` : opts.mode})`);
  for (const a of generated.added) log(`  added: ${a}`);
  if (!generated.added.length) log('  nothing to add: the base already logs every event type the rules need');
  for (const n of generated.notes) log(`  note: ${n}`);
  log(`  re-parsed: ${check}`);
}

async function collectorConfig(paths: string[], opts: CollectorCliOptions): Promise<void> {
  const { result } = await runValidated(paths, { ...opts, gpresult: [], auditpol: [], sysmon: [], collector: [] });
  const catalog = loadCatalog();
  const needs = collectorNeeds(result, catalog);
  if (!needs.size) throw new UsageError('no rule in the set reads a Windows event channel');
  const text = generateCollectorConfig(needs, catalog, opts.format);
  const problems = roundTrip(text, opts.format, needs, catalog);
  if (problems.length) throw new Error(`generated ${opts.format} does not re-read to what the rules need: ${problems.join('; ')}`);
  if (opts.out) {
    try {
      writeOutput(opts.out, text);
    } catch (e) {
      throw new UsageError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else process.stdout.write(text);
  const log = (s: string) => process.stderr.write(`${terminalLine(s)}\n`);
  log(`${opts.out ? `wrote ${opts.out}` : opts.format} for ${needs.size} channel(s); re-read: forwards exactly what the rules need`);
  for (const n of [...needs.values()].sort((a, b) => a.channel.localeCompare(b.channel))) log(`  ${n.channel}: ${formatRanges(n.ids)}`);
}

async function guides(opts: GuidesCliOptions): Promise<void> {
  const catalog = loadCatalog();
  let counts: Map<string, number> | undefined;
  if (opts.rules?.length) {
    const { result } = await runValidated(opts.rules, { cache: true, gpresult: [], auditpol: [], sysmon: [], collector: [] });
    counts = new Map();
    for (const r of result.rules) if (r.kind === 'rule') counts.set(r.logsourceKey, (counts.get(r.logsourceKey) ?? 0) + 1);
  }
  const list = buildGuides(catalog, counts);
  try {
    for (const g of list) {
      const target = join(opts.out, ...g.path.split('/'));
      makeOutputDir(dirname(target));
      writeOutput(target, g.text);
    }
    if (opts.index) {
      const rel = relative(dirname(opts.index), opts.out).split('\\').join('/');
      writeOutput(opts.index, guideIndex(catalog, rel ? `${rel}/` : '', counts));
    }
  } catch (e) {
    throw new UsageError(`cannot write guides: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  process.stdout.write(`wrote ${list.length - 1} guides and an index into ${opts.out}${opts.index ? ` and ${opts.index}` : ''}\n`);
}

/** A one-line progress counter on stderr, only on a terminal. */
function makeProgress(): { update: (done: number, total: number) => void; done: () => void } {
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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A gate failure sets the exit code without being an error.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; anything else commander rejects is a bad invocation.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof InvalidArgumentError) {
      process.stderr.write(`logsource-check: ${terminalLine(e.message)}\n`);
      return EXIT.usage;
    }
    if (e instanceof CatalogError) {
      process.stderr.write(`logsource-check: ${e.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`logsource-check: internal error: ${terminalLine((e as Error).message)}\n`);
    if (process.env['LOGSOURCE_CHECK_DEBUG']) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.usage;
  }
}

// A reader that stops early (`| head`) closes the pipe: that ends the output, it is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
