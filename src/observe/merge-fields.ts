/**
 * Field evidence of two observations of one kind (computer, channel, provider, event ID) added up, as their
 * counts are in load.ts: records examined and per-field presence are sums. An observation without field
 * evidence adds records that were not examined, so `fieldRecords` stays below `count` (the model's rule).
 */
import type { ObservedCount } from './model.js';

export function mergeFieldEvidence(had: ObservedCount, c: ObservedCount): void {
  if (c.fieldRecords === undefined) return;
  if (had.fieldRecords === undefined) {
    had.fieldRecords = c.fieldRecords;
    if (c.fields) had.fields = { ...c.fields };
    if (c.values) had.values = structuredClone(c.values);
    if (c.fieldsListedOnly) had.fieldsListedOnly = true;
    return;
  }
  had.fieldRecords += c.fieldRecords;
  if (c.fields) {
    const f = (had.fields ??= {});
    for (const [k, n] of Object.entries(c.fields)) f[k] = (f[k] ?? 0) + n;
  }
  if (c.values) {
    const v = (had.values ??= {});
    for (const [field, byValue] of Object.entries(c.values)) {
      const into = (v[field] ??= {});
      for (const [token, n] of Object.entries(byValue)) into[token] = (into[token] ?? 0) + n;
    }
  }
  // Listed-only when both are: a source that saw every field proves a name absent from its own records.
  if (!(had.fieldsListedOnly && c.fieldsListedOnly)) delete had.fieldsListedOnly;
}
