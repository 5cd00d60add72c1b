#!/usr/bin/env node
/** Command line: wires commander to the pipeline and the renderers; no logic of its own. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CatalogError } from './catalog/validate.js';
import { terminalLine } from './escape.js';
import { collectScriptCommand, type CollectScriptCliOptions } from './commands/collect-script.js';
import { clearCache } from './cache/caching-parser.js';
import { check, REPORT_FORMATS, type CheckCliOptions } from './commands/check.js';
import { baseline, type BaselineCliOptions } from './commands/baseline.js';
import { catalogExport, type CatalogExportCliOptions } from './commands/catalog-export.js';
import { collectorConfig, type CollectorCliOptions } from './commands/collector-config.js';
import { cacheDir, collect, evidenceOptions, EXIT, hostOptions, parseCount, parsePercent, rankingOptions, ruleOptions, UsageError } from './commands/common.js';
import { fix, type FixCliOptions } from './commands/fix.js';
import { diff, type DiffCliOptions } from './commands/diff.js';
import { guides, type GuidesCliOptions } from './commands/guides.js';
import { sysmonConfig, type SysmonCliOptions } from './commands/sysmon-config.js';
import { sysmonLint, type SysmonLintOptions } from './commands/sysmon-lint.js';
import { observedFields, type ObservedFieldsOptions } from './commands/observed-fields.js';
import { VERSION } from './version.js';
import { closestCommand } from './commands/suggest.js';
import { existsSync } from 'node:fs';

export { EXIT } from './commands/common.js';

const EXAMPLE = `
Examples:
  $ logsource-check rules/windows                                    requirements of a rule set, as a table
  $ logsource-check rules/ --format json -o report.json               the same as JSON (schemaVersion 2)
  $ logsource-check rules/ --gpresult host.xml --auditpol host.csv    which rules will fire on that host
  $ logsource-check rules/ --sysmon sysmonconfig.xml --collector wef/ Sysmon filters and forwarding too
  $ logsource-check rules/ --gpresult exports/ --fail-under 80        CI gate over a fleet
  $ logsource-check rules/ --gpo Baseline/GPOs/                      what GPOs will give, before they are linked
  $ logsource-check fix rules/ --gpresult host.xml --out remediation/
  $ logsource-check sysmon-config rules/ --mode targeted -o sysmon.xml

Exit codes: 0 done (files with errors are listed), 1 the --fail-under gate failed, 2 unusable invocation or input, 3 internal error.`;

function buildProgram(): Command {
  const program = new Command('logsource-check')
    .description('Tells which Windows logging settings a Sigma rule set needs: audit subcategories, Sysmon event types, policies and channels.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  evidenceOptions(rankingOptions(hostOptions(ruleOptions(program.command('check', { isDefault: true })))))
    .description('scan Sigma rules (files, directories, .zip archives) and report what they need; with --gpresult/--auditpol, which rules are ready')
    .addOption(new Option('-f, --format <format>', 'report format').choices(Object.keys(REPORT_FORMATS)).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-v, --verbose', 'add per-rule detail')
    .option('--fail-under <pct>', 'exit 1 when ready % of applicable Windows rules is below PCT (on any host)', parsePercent)
    .option(
      '--baseline <name|file>',
      'assess the rules against a published baseline (or your own baseline FILE, .yaml in the shipped schema) as if it were a host, side by side (repeatable; `baseline --list` names them)',
      collect,
    )
    .option('--top <n>', 'ranked fixes shown in the table (default 10; --verbose shows all)', parseCount)
    .option('--previous <report.json>', 'a JSON report of an earlier run: what changed since is printed after the report (JSON: the report\'s "diff" member)')
    .option('--fail-on-regression', 'with --previous: exit 1 when any rule lost readiness on any host')
    .option(
      '--changed-since <ref>',
      'pull requests: every rule is read, but SARIF results and --fail-under cover only the rule files changed since git REF (merge base of REF and HEAD, plus uncommitted and untracked files)',
    )
    .option('--files-from <file>', 'like --changed-since, with the changed files listed in FILE (one path a line, relative to the current directory)')
    .option('--no-color', 'no colour even on a terminal')
    .addHelpText('after', EXAMPLE)
    .action(async (paths: string[], opts: CheckCliOptions) => {
      await check(paths, opts);
    });

  program
    .command('diff')
    .description(
      'what changed between two runs (JSON reports of check): per host, the rules whose verdict changed and the requirement, setting and input behind each; rules and hosts added or removed',
    )
    .argument('<old>', 'JSON report of the earlier run (check --format json)')
    .argument('<new>', 'JSON report of the later run')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('-o, --output <file>', 'write the diff to a file instead of standard output')
    .option('-v, --verbose', 'every change and every host, unchanged ones included')
    .option('--fail-on-regression', 'exit 1 when any rule lost readiness on any host (ready → partial/blocked/unknown, partial → blocked/unknown)')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check rules/ --gpresult exports/ --format json -o monday.json
  $ logsource-check rules/ --gpresult exports/ --format json -o tuesday.json
  $ logsource-check diff monday.json tuesday.json --fail-on-regression`,
    )
    .action((oldPath: string, newPath: string, opts: DiffCliOptions) => {
      diff(oldPath, newPath, opts);
    });
  rankingOptions(hostOptions(ruleOptions(program.command('fix'))))
    .description(
      'write remediation files for what the host lacks, as two plans: built-in (enable-audit.cmd, audit.csv, logging-policies.reg, enable-channels.cmd, set-audit-sacls.ps1) and with Sysmon (sysmon-additions.xml, sysmon-merged.xml); prints the readiness each reaches',
    )
    .requiredOption('--out <dir>', 'directory to write the files into (created if needed)')
    .addOption(
      new Option('--plan <plan>', "which plan's files to write (the projection always shows both)").choices(['builtin', 'sysmon', 'both']).default('both'),
    )
    .option('--report <file>', 'also write the report with the projected readiness of both plans: .json, .md or .html (repeatable)', collect)
    .option(
      '--observed <path>',
      "evidence (.evtx, event-count CSV or search response, or a folder of them): each setting's measured events/day and bytes/day in the files' comments, how long each log holds now and with the settings, or the time span of a Security log export (repeatable)",
      collect,
    )
    .addHelpText(
      'after',
      `
fix writes settings of event volume up to medium by default (--max-volume high writes high-volume ones too);
settings no source rates are written under any budget. What the budget leaves out is listed.

Example:
  $ logsource-check fix rules/windows --gpresult ws-0142.xml --out remediation/
  $ logsource-check fix rules/windows --host snapshots/DC01 --plan sysmon --out remediation/ --report plans.html`,
    )
    .action(async (paths: string[], opts: FixCliOptions) => {
      await fix(paths, opts);
    });
  ruleOptions(program.command('sysmon-config'))
    .description('write a Sysmon configuration that logs what the rules need (or merge it into --base)')
    .addOption(
      new Option('--mode <mode>', 'minimal: every needed event type, unfiltered; targeted: include filters from the rules')
        .choices(['minimal', 'targeted'])
        .default('minimal'),
    )
    .option('--base <file>', 'an existing Sysmon config to add to (nothing in it is removed or reordered)')
    .option('--schema <version>', 'schemaversion to write (must know every event type needed)')
    .option('--for-rule', 'print a targeted snippet per rule instead of one config')
    .option('--allow-enforcement', 'also write FileBlockExecutable/FileBlockShredding, with include filters from the rules only (they BLOCK what they match)')
    .option('-o, --out <file>', 'write the config to a file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check sysmon-config rules/windows --mode targeted -o sysmon.xml
  $ logsource-check sysmon-config rules/windows --base sysmonconfig-export.xml -o merged.xml`,
    )
    .action(async (paths: string[], opts: SysmonCliOptions) => {
      await sysmonConfig(paths, opts);
    });
  program
    .command('sysmon-lint')
    .description('report the deployment hazards of Sysmon configs (blocking, archiving, clipboard capture, schema) with their lines; exit 1 when one is found')
    .argument('<files...>', 'Sysmon configuration XML files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check sysmon-lint sysmonconfig.xml             exit 0: no hazard; 1: a hazard; 2: a file is unusable
  $ logsource-check sysmon-lint configs/*.xml --format json`,
    )
    .action((files: string[], opts: SysmonLintOptions) => {
      sysmonLint(files, opts);
    });
  program
    .command('observed-fields')
    .description(
      "show what the --observed inputs carry of each event's fields: per computer, channel and event ID the records, first and last time, bytes, and each EventData/UserData field's share of the records",
    )
    .argument('<paths...>', 'EVTX files, event-count exports, or folders of them (as --observed reads them)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check observed-fields C:/exports/evtx/
  $ logsource-check observed-fields Security.evtx --format json`,
    )
    .action((paths: string[], opts: ObservedFieldsOptions) => {
      observedFields(paths, opts);
    });
  ruleOptions(program.command('collector-config'))
    .description('write the smallest collector configuration that forwards what the rules need')
    .addOption(
      new Option('--format <format>', 'collector').choices(['wef', 'nxlog', 'winlogbeat', 'querylist', 'splunk', 'dcr', 'elastic-agent']).makeOptionMandatory(),
    )
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .option(
      '--base <file>',
      'an existing configuration to add to, nothing in it removed: splunk inputs.conf (only adds and widens; exit 1 when a need stays unforwarded), dcr data collection rule, elastic-agent policy',
    )
    .option(
      '--collector <file>',
      "splunk --base: the forwarder's other inputs.conf layers (apps' default/local …), merged with the base as Splunk does (repeatable)",
      collect,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check collector-config rules/windows --format wef -o logsource-check-subscription.xml
  $ logsource-check collector-config rules/windows --format winlogbeat
  $ logsource-check collector-config rules/windows --format splunk --base inputs.conf -o inputs.conf.new
  $ logsource-check collector-config rules/windows --format dcr --base my-dcr.json -o my-dcr.json`,
    )
    .action(async (paths: string[], opts: CollectorCliOptions) => {
      await collectorConfig(paths, opts);
    });
  ruleOptions(program.command('collect-script'), true)
    .description(
      'print the read-only collection script a Windows admin runs on each host (its folder is read with --host); with rules, the ps1 also reads the audit SACLs of the keys and folders they watch',
    )
    .addOption(new Option('--format <format>', 'cmd (cmd.exe) or ps1 (PowerShell, can zip the folder, reads SACLs)').choices(['cmd', 'ps1']).default('ps1'))
    .option('--out <file>', 'write the script to a file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check collect-script --format ps1 --out collect-logsource.ps1
  $ logsource-check collect-script rules/windows --out collect-logsource.ps1   (also writes sacls.txt)
  $ logsource-check rules/ --host \\\\fileserver\\snapshots\\WS-0142       (after running it on WS-0142)`,
    )
    .action(async (paths: string[], opts: CollectScriptCliOptions) => {
      await collectScriptCommand(paths, opts);
    });
  program
    .command('guides')
    .description('write one Markdown log-source guide per catalog category and service')
    .requiredOption('--out <dir>', 'directory for the guides (windows/category/*.md, windows/service/*.md, README.md)')
    .option('--index <file>', 'also write an index with links into --out (e.g. rules-documentation/README.md)')
    .option('--rules <path>', 'a rule set: each guide says how many of its rules use the log source', collect)
    .addHelpText(
      'after',
      `
Example:
  $ logsource-check guides --out rules-documentation/logsource-guides --index rules-documentation/README.md`,
    )
    .action(async (opts: GuidesCliOptions) => {
      await guides(opts);
    });
  hostOptions(program.command('baseline'))
    .description('compare hosts with a published logging baseline (Microsoft, Yamato …) setting by setting: meets, stronger, weaker, missing, unknown')
    .argument('[name]', 'baseline name (`--list` shows them), or your own baseline file (.yaml, the schema of data/README.md "baselines/")')
    .option('--list', 'list the shipped baselines with title, version and source')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'markdown', 'csv']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-v, --verbose', 'every setting of every host, required or not')
    .option('--fail-under <pct>', 'exit 1 when the share of baseline settings met is below PCT on any host', parsePercent)
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check baseline --list
  $ logsource-check baseline microsoft-client --gpresult ws-0142.xml
  $ logsource-check baseline yamato --gpresult exports/ --fail-under 80`,
    )
    .action((name: string | undefined, opts: BaselineCliOptions) => {
      baseline(name, opts);
    });
  program
    .command('catalog')
    .description('the data catalog itself, for other tools')
    .command('export')
    .description(
      'every Sigma log source with its channel, provider, event IDs and, per event, the settings that produce it (audit subcategory and outcome, Sysmon element, policy, channel, SACL, role), volume and sources (docs/catalog-export.md)',
    )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'yaml', 'csv']).default('json'))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .addHelpText(
      'after',
      `
Examples:
  $ logsource-check catalog export -o catalog.json
  $ logsource-check catalog export --format csv -o catalog.csv`,
    )
    .action((opts: CatalogExportCliOptions) => {
      catalogExport(opts);
    });
  const cache = program
    .command('cache')
    .description('the parse cache (LOGSOURCE_CHECK_CACHE_DIR, else $XDG_CACHE_HOME/logsource-check or ~/.cache/logsource-check)');
  cache
    .command('clear')
    .description('remove every cached parse and resolution (the next run parses afresh)')
    .action(() => {
      const dir = cacheDir();
      const { removed, refused } = clearCache(dir);
      if (refused) throw new UsageError(refused);
      process.stdout.write(`removed ${removed} cache file(s) from ${terminalLine(dir)}\n`);
    });
  cache
    .command('dir')
    .description('print where the cache lives')
    .action(() => {
      process.stdout.write(`${terminalLine(cacheDir())}\n`);
    });
  program.addHelpText('after', EXAMPLE);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // `check` is the default command, so commander takes a mistyped command ("chek") for a rule path and never
  // suggests. A first argument that is no file and is one or two edits from a command is a typo.
  const first = argv[2];
  if (first && !first.startsWith('-') && !existsSync(first)) {
    const near = closestCommand(
      first,
      program.commands.map((c) => c.name()),
    );
    if (near) {
      process.stderr.write(`logsource-check: unknown command '${terminalLine(first)}' (no such file either)\n(Did you mean ${near}?)\n`);
      return EXIT.usage;
    }
  }
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
    // A bug of ours, not the user's input: a CI gate can tell the two apart.
    return EXIT.internal;
  }
}

// A reader that stops early (`| head`) closes the pipe: that ends the output, it is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void main(process.argv).then((code) => {
  process.exitCode = code;
});
