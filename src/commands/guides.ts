/** `guides`: one Markdown log-source guide per catalog category and service. */
import { dirname, join, relative } from 'node:path';
import { loadCatalog } from '../catalog/load.js';
import { buildGuides, guideIndex } from '../generate/guides.js';
import { makeOutputDir, writeOutput } from '../limits.js';
import { runValidated, UsageError } from './common.js';

export interface GuidesCliOptions {
  out: string;
  index?: string;
  rules?: string[];
}

export async function guides(opts: GuidesCliOptions): Promise<void> {
  const catalog = loadCatalog();
  let counts: Map<string, number> | undefined;
  if (opts.rules?.length) {
    const { result } = await runValidated(opts.rules, { cache: true, gpresult: [], auditpol: [], sysmon: [], collector: [] });
    counts = new Map();
    for (const r of result.rules) if (r.kind === 'rule') counts.set(r.logsourceKey, (counts.get(r.logsourceKey) ?? 0) + 1);
  }
  const list = buildGuides(catalog, counts);
  try {
    makeOutputDir(opts.out); // first: a link on the way is named as the user wrote it
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
