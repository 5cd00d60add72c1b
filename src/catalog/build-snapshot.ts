/** Run by `npm run build`: validates data/ and writes dist/catalog-snapshot.json (a broken catalog fails the build). */
import { CatalogError } from './validate.js';
import { writeCatalogSnapshot } from './load.js';
import { writeEvidenceFieldsSnapshot } from './evidence-fields.js';

try {
  writeCatalogSnapshot();
  writeEvidenceFieldsSnapshot();
} catch (e) {
  process.stderr.write(`${e instanceof CatalogError ? e.message : String(e)}\n`);
  process.exit(1);
}
