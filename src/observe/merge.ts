/**
 * Two observations of one kind of event (computer, channel, provider, event ID) added up: counts, the time range,
 * bytes and field evidence. Every reader that meets a kind twice (overlapping pages, several files) and the loader
 * that joins the readers use this, so the sums mean the same everywhere.
 */
import type { ObservedCount } from './model.js';

/** Adds b's count, times, bytes and field evidence to a. */
export function addObserved(a: ObservedCount, b: ObservedCount): void {
  a.count += b.count;
  if (b.first && (!a.first || b.first < a.first)) a.first = b.first;
  if (b.last && (!a.last || b.last > a.last)) a.last = b.last;
  mergeEvidence(a, b);
}

/**
 * Adds the bytes and field evidence of b to a (same kind of event). A side that says nothing about fields
 * (fieldRecords undefined) adds no examined records: its events stay in `count` only, so the share of
 * records carrying a field is taken over the records that were examined.
 */
export function mergeEvidence(a: ObservedCount, b: ObservedCount): void {
  if (b.bytes !== undefined) a.bytes = (a.bytes ?? 0) + b.bytes;
  if (b.fieldRecords !== undefined) {
    // Listed-only (a SIEM query counts only the fields it names) when every side with field evidence is: a
    // source that saw every field proves a name absent from its records.
    const listedOnly = b.fieldsListedOnly === true && (a.fieldRecords === undefined || a.fieldsListedOnly === true);
    if (listedOnly) a.fieldsListedOnly = true;
    else delete a.fieldsListedOnly;
    a.fieldRecords = (a.fieldRecords ?? 0) + b.fieldRecords;
  }
  if (b.fields) a.fields = addTallies(a.fields, b.fields);
  if (b.values) {
    const into = (a.values ??= {});
    for (const [field, tokens] of Object.entries(b.values)) {
      const had = Object.hasOwn(into, field) ? into[field] : undefined;
      Object.defineProperty(into, field, { value: addTallies(had, tokens), enumerable: true, writable: true, configurable: true });
    }
  }
}

/** a + b per name, into a (made when absent); names are data: "__proto__" is a name like any other. */
function addTallies(a: Record<string, number> | undefined, b: Record<string, number>): Record<string, number> {
  const out = a ?? {};
  for (const [k, n] of Object.entries(b)) {
    const had = Object.hasOwn(out, k) ? out[k]! : 0;
    Object.defineProperty(out, k, { value: had + n, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
