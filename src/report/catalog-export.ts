/** Renders the catalog export (src/catalog/export.ts) as JSON, YAML or CSV; no facts are computed here. */
import { CSV_COLUMNS, exportRows, type CatalogExport } from '../catalog/export.js';
import { csvCell, jsonSafe } from '../escape.js';
import { lazy } from '../lazy.js';

export type CatalogExportFormat = 'json' | 'yaml' | 'csv';

const csv = lazy<typeof import('csv-stringify/sync')>('csv-stringify/sync');
const yaml = lazy<typeof import('yaml')>('yaml');

export function renderCatalogExport(x: CatalogExport, format: CatalogExportFormat): string {
  if (format === 'csv')
    return csv().stringify(
      exportRows(x).map((r) => r.map(csvCell)),
      { header: true, columns: [...CSV_COLUMNS] },
    );
  // YAML: plain data, no anchors or aliases, so any YAML 1.2 reader gets the same objects as from the JSON.
  if (format === 'yaml') return yaml().stringify(x, { aliasDuplicateObjects: false, lineWidth: 0 });
  return `${jsonSafe(JSON.stringify(x, null, 2))}\n`;
}
