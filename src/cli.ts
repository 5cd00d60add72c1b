#!/usr/bin/env node
/** Command line: wires commander to the pipeline and the renderers; no logic of its own. */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CatalogError } from './catalog/validate.js';
import { runCheck } from './check.js';
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
  $ logsource-check rules/windows                       requirements of a rule set, as a table
  $ logsource-check rules/ --format json -o report.json  the same as JSON (schemaVersion 1)
  $ logsource-check rules/ --min-level high --include '**/process_creation/**' --verbose

Exit codes: 0 done (files with errors are listed), 2 unusable invocation or input.`;

interface CheckCliOptions {
  format: 'table' | 'json' | 'markdown';
  verbose?: boolean;
  output?: string;
  minStatus?: string;
  allStatuses?: boolean;
  minLevel?: string;
  include?: string[];
  exclude?: string[];
  cache: boolean;
  color?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function buildProgram(): Command {
  const program = new Command('logsource-check')
    .description('Tells which Windows logging settings a Sigma rule set needs: audit subcategories, Sysmon event types, policies and channels.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('check', { isDefault: true })
    .description('scan Sigma rules (files, directories, .zip archives) and report what they need')
    .argument('<paths...>', 'rule files, directories (recursive) or .zip archives')
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'markdown']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-v, --verbose', 'add per-rule detail')
    .option('--min-status <status>', 'keep rules with at least this status (unsupported < deprecated < experimental < test < stable); default: all but deprecated and unsupported')
    .option('--all-statuses', 'keep rules of every status, deprecated and unsupported included')
    .option('--min-level <level>', 'keep rules with at least this level (informational < low < medium < high < critical)')
    .option('--include <glob>', 'only rule files matching this glob (repeatable; without "/" it matches the file name)', collect)
    .option('--exclude <glob>', 'skip rule files matching this glob (repeatable)', collect)
    .option('--no-cache', 'do not read or write the parse cache (~/.cache/logsource-check)')
    .option('--no-color', 'no colour even on a terminal')
    .addHelpText('after', EXAMPLE)
    .action(async (paths: string[], opts: CheckCliOptions) => {
      await check(paths, opts);
    });
  program.addHelpText('after', EXAMPLE);
  return program;
}

async function check(paths: string[], opts: CheckCliOptions): Promise<void> {
  const progress = makeProgress();
  let run;
  try {
    run = await runCheck(paths, {
      minStatus: opts.minStatus,
      allStatuses: opts.allStatuses,
      minLevel: opts.minLevel,
      include: opts.include,
      exclude: opts.exclude,
      cacheDir: opts.cache ? process.env['LOGSOURCE_CHECK_CACHE_DIR'] || defaultCacheDir() : false,
      onProgress: progress.update,
    });
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
  const { result, load } = run;
  if (load.missing.length) throw new UsageError(`no such file or directory: ${load.missing.join(', ')}`);
  if (result.summary.rulesScanned === 0) {
    const why = load.errors.length ? ` (${load.errors.length} file error${load.errors.length > 1 ? 's' : ''}: ${load.errors[0]?.path}: ${load.errors[0]?.message})` : '';
    const skipped = load.skipped.status + load.skipped.level;
    throw new UsageError(`no Sigma rule found in ${paths.join(', ')}${skipped ? ` (${skipped} skipped by the status/level filter)` : ''}${why}`);
  }

  const toFile = opts.output !== undefined;
  const color = !toFile && opts.color !== false && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  const text =
    opts.format === 'json'
      ? renderJson(result)
      : opts.format === 'markdown'
        ? renderMarkdown(result, { verbose: opts.verbose })
        : renderTable(result, { verbose: opts.verbose, color, width: process.stdout.columns });
  if (toFile) {
    try {
      writeFileSync(opts.output as string, text);
    } catch (e) {
      throw new UsageError(`cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    process.stderr.write(`report written to ${opts.output}\n`);
  } else {
    process.stdout.write(text);
  }
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
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; anything else commander rejects is a bad invocation.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof InvalidArgumentError) {
      process.stderr.write(`logsource-check: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof CatalogError) {
      process.stderr.write(`logsource-check: ${e.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`logsource-check: internal error: ${(e as Error).message}\n`);
    if (process.env['LOGSOURCE_CHECK_DEBUG']) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.usage;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
