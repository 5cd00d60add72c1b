/** `catalog export`: the catalog's facts per Sigma log source, for other tools (docs/catalog-export.md). */
import { loadAttackComponents } from '../catalog/attack-components.js';
import { exportCatalog } from '../catalog/export.js';
import { loadCatalog } from '../catalog/load.js';
import { renderCatalogExport, type CatalogExportFormat } from '../report/catalog-export.js';
import { VERSION } from '../version.js';
import { writeOrFail } from './common.js';

export interface CatalogExportCliOptions {
  format: CatalogExportFormat;
  output?: string;
}

export function catalogExport(opts: CatalogExportCliOptions): void {
  const catalog = loadCatalog();
  const text = renderCatalogExport(exportCatalog(catalog, VERSION, loadAttackComponents(catalog)), opts.format);
  if (opts.output === undefined) {
    process.stdout.write(text);
    return;
  }
  writeOrFail(opts.output, text);
  process.stderr.write(`catalog export written to ${opts.output}\n`);
}
