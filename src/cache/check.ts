/**
 * Shape checks of what the cache returns. The cache directory is an input (anyone who can write there can put
 * any JSON in a shard): a record the rest of the pipeline would trip over is a cache miss, never a crash. The
 * checks cover every field the resolver, the report and the Sysmon simulation read, not the inside of the
 * detection (which is read defensively already, as any rule's is).
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const strings = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);
const numbers = (v: unknown): boolean => Array.isArray(v) && v.every((n) => typeof n === 'number');
const messages = (v: unknown): boolean => Array.isArray(v) && v.every((m) => isObj(m) && isStr(m['path']) && isStr(m['message']));

/** A cached parse result (src/cache/rules.ts): rules without their detection and facts (`heavy`). */
export function validLightParsed(p: unknown): boolean {
  return isObj(p) && Array.isArray(p['rules']) && p['rules'].every(validLightRule) && messages(p['errors']) && messages(p['notes']);
}

function validLightRule(r: unknown): boolean {
  if (!isObj(r) || !isStr(r['path']) || !isStr(r['title']) || typeof r['docIndex'] !== 'number') return false;
  if (!optStr(r['id']) || !optStr(r['name']) || !optStr(r['status']) || !optStr(r['level']) || !strings(r['tags']) || !strings(r['techniques'])) return false;
  if (r['kind'] === 'correlation') return optStr(r['correlationType']) && strings(r['references']);
  return (
    r['kind'] === 'rule' &&
    (r['logsourceLine'] === undefined || typeof r['logsourceLine'] === 'number') &&
    validLogsource(r['logsource']) &&
    strings(r['warnings']) &&
    isStr(r['heavy'])
  );
}

function validLogsource(ls: unknown): boolean {
  if (!isObj(ls) || !optStr(ls['product']) || !optStr(ls['category']) || !optStr(ls['service']) || !optStr(ls['definition'])) return false;
  const alt = ls['alternatives'];
  return alt === undefined || (isObj(alt) && ['product', 'category', 'service'].every((k) => alt[k] === undefined || strings(alt[k])));
}

/** A rule's analysed facts but their warnings (which a cached rule keeps apart). */
export function validDetectionFacts(f: unknown): boolean {
  if (!isObj(f) || !numbers(f['eventIds'])) return false;
  if (!['fields', 'positiveFields', 'channels', 'providers', 'objectTypes'].every((k) => strings(f[k]))) return false;
  const sel = f['selectionFields'];
  if (!isObj(sel) || !Object.values(sel).every((branches) => Array.isArray(branches) && branches.every(strings))) return false;
  return Array.isArray(f['conditions']) && f['conditions'].every((c) => validCondition(c));
}

/** Condition trees as src/rules/condition.ts builds them; a deeper tree than any real rule's is refused. */
function validCondition(n: unknown, depth = 0): boolean {
  if (!isObj(n) || depth > 200) return false;
  switch (n['type']) {
    case 'ref':
      return isStr(n['name']);
    case 'not':
      return validCondition(n['operand'], depth + 1);
    case 'and':
    case 'or':
      return Array.isArray(n['operands']) && n['operands'].every((o) => validCondition(o, depth + 1));
    case 'of':
      return (n['quantifier'] === 'one' || n['quantifier'] === 'all') && isStr(n['pattern']);
    default:
      return false;
  }
}

/**
 * A cached resolution (src/requirements/resolve.ts Resolution): the fields the report and the assessment
 * read. Fields added later pass through; the resolver's fingerprint changes with its code, so a record from
 * another version is never read as this one's.
 */
export function validResolution(r: unknown): boolean {
  if (!isObj(r) || (r['status'] !== 'resolved' && r['status'] !== 'unknown') || !isStr(r['logsource'])) return false;
  if (!numbers(r['eventIds']) || !strings(r['notes']) || !optStr(r['unknownReason']) || !optStr(r['inferredFrom'])) return false;
  const ep = r['eventProviders'];
  if (ep !== undefined && !(isObj(ep) && Object.values(ep).every(strings))) return false;
  const alts = r['alternatives'];
  return (
    Array.isArray(alts) &&
    alts.every(
      (a) =>
        isObj(a) &&
        isStr(a['origin']) &&
        strings(a['requires']) &&
        Array.isArray(a['branches']) &&
        a['branches'].every(strings) &&
        (a['supplementary'] === undefined || typeof a['supplementary'] === 'boolean') &&
        (a['lacks'] === undefined || strings(a['lacks'])),
    )
  );
}
