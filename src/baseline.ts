/**
 * runBaseline: hosts compared with one baseline, setting by setting — the engine behind `baseline NAME`, for
 * programs as for the CLI. It validates its inputs and throws UnusableInputError (a name no baseline has, no host
 * input, no usable host) or BaselineFileError (a baseline file of one's own with problems, each listed); the
 * CLI only formats them. A family name (windows-default, mdi) or a file of several variants compares each host
 * with the member for its computer type.
 */
import { compareHost, type BaselineComparison } from './assess/baseline.js';
import { baselineFamily, familyMember, findBaseline, loadBaselines, type Baseline } from './catalog/baselines.js';
import { isBaselineFile, loadBaselineFile } from './catalog/baseline-file.js';
import type { Catalog } from './catalog/catalog.js';
import { loadCatalog } from './catalog/load.js';
import { loadEnvironment, type EnvironmentInputs } from './environment/load.js';
import { UnusableInputError } from './check-usable.js';

export interface BaselineRunOptions {
  /** A shipped baseline or family name (`baseline --list`), or the path of a baseline file of one's own. */
  baseline: string;
  inputs: EnvironmentInputs;
  /** Unset settings taken at Windows' defaults (as `check --assume-defaults`). */
  assumeDefaults?: boolean;
  catalog?: Catalog;
}

export interface BaselineRun {
  /** Hosts grouped by the baseline they were compared with (one group unless a family meets several host types). */
  groups: { baseline: Baseline; hosts: BaselineComparison[] }[];
  /** Hosts not compared, and why (a family member cannot be chosen without the host's type). */
  skipped: { host: string; reason: string }[];
  /** Host inputs that could not be read (the others were compared). */
  errors: { path: string; message: string }[];
}

/** The baselines a name or file stands for: one, or a family's members. */
export function resolveBaseline(name: string, catalog: Catalog): { baselines: Baseline[]; family: boolean } {
  if (isBaselineFile(name)) {
    const own = loadBaselineFile(name, catalog);
    return { baselines: own, family: own.length > 1 };
  }
  const all = loadBaselines(catalog);
  const one = findBaseline(all, name);
  if (one) return { baselines: [one], family: false };
  const family = baselineFamily(all, name);
  if (family) return { baselines: family, family: true };
  throw new UnusableInputError(`unknown baseline "${name}" (known: ${all.map((x) => x.name).join(', ')}; \`logsource-check baseline --list\` describes them)`);
}

export function runBaseline(options: BaselineRunOptions): BaselineRun {
  const catalog = options.catalog ?? loadCatalog();
  const { baselines, family } = resolveBaseline(options.baseline, catalog);
  const first = baselines[0];
  if (!first) throw new UnusableInputError(`baseline ${options.baseline} defines no baseline`);
  const { inputs } = options;
  if (!inputs.host?.length && !inputs.gpresult?.length && !inputs.auditpol?.length) {
    throw new UnusableInputError(`baseline ${first.name} needs a host input to compare: --gpresult, --auditpol or --host (a directory of them is a fleet)`);
  }
  let env;
  try {
    env = loadEnvironment(inputs, catalog);
  } catch (e) {
    // A malformed --role and the like: the invocation, not a bug.
    throw new UnusableInputError((e as Error).message);
  }
  if (env.missing.length) throw new UnusableInputError(`no such file or directory: ${env.missing.join(', ')}`, env.missing);
  if (!env.hosts.length)
    throw new UnusableInputError(`no usable host input: ${env.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || 'no files found'}`);
  const byBaseline = new Map<Baseline, BaselineComparison[]>();
  const skipped: BaselineRun['skipped'] = [];
  for (const h of env.hosts) {
    const member = family ? familyMember(baselines, h.role?.kind, h.role?.features) : first;
    if (!member) {
      // Members told apart by a server role too (mdi-adcs, mdi-adfs): name the roles that would settle it.
      const roles = baselines.flatMap((m) => (m.feature ? [m.feature] : []));
      const why = roles.length
        ? `has one variant per kind of host (${baselines.map((m) => m.name).join(', ')}) and the inputs do not tell which this host is (--role workstation|server|dc, and for a server one of ${roles.join(', ')}, settles it; or name the variant)`
        : `has one variant per computer type (${baselines.map((m) => m.name).join(', ')}) and this host's type is not known (--role workstation|server|dc settles it)`;
      skipped.push({ host: h.name, reason: `baseline ${options.baseline} ${why}; not compared` });
      continue;
    }
    const list = byBaseline.get(member) ?? [];
    list.push(compareHost(member, h, catalog, { assumeDefaults: options.assumeDefaults }));
    byBaseline.set(member, list);
  }
  if (!byBaseline.size) {
    const why = skipped
      .slice(0, 3)
      .map((x) => `${x.host}: ${x.reason}`)
      .join('\n');
    throw new UnusableInputError(`${why}\nbaseline ${options.baseline}: no host of a known computer type (--role workstation|server|dc)`);
  }
  return { groups: [...byBaseline].map(([baseline, hosts]) => ({ baseline, hosts })), skipped, errors: env.errors };
}
