/**
 * Text of a value parsed from JSON or YAML, for messages and list syntax. String(v) calls the value's own
 * toString, and a hostile `{"toString": ""}` makes that throw a TypeError: objects are written as JSON instead.
 */
export function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '(value)';
  }
}
