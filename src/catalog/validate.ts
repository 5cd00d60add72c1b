/**
 * A small schema check for the catalog files. The data is ours, so the checks are strict: a catalog
 * that loads is one every lookup can trust.
 */

export class CatalogError extends Error {
  constructor(public readonly problems: string[]) {
    super(`data catalog is invalid:\n  ${problems.slice(0, 30).join('\n  ')}${problems.length > 30 ? `\n  … ${problems.length - 30} more` : ''}`);
  }
}

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'string|null' | 'string|array' | 'string|number';

export class Checker {
  readonly problems: string[] = [];

  constructor(private readonly file: string) {}

  /** Checks `obj[key]` has the given kind; returns the value (undefined when absent and optional). */
  field<T>(obj: unknown, where: string, key: string, kind: Kind, optional = false): T | undefined {
    if (typeof obj !== 'object' || obj === null) {
      this.fail(where, 'is not a mapping');
      return undefined;
    }
    const v = (obj as Record<string, unknown>)[key];
    if (v === undefined) {
      if (!optional) this.fail(where, `lacks "${key}"`);
      return undefined;
    }
    if (!matches(v, kind)) {
      this.fail(where, `"${key}" should be ${kind}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v as T;
  }

  /** Flags keys that the schema does not know, so that typos do not silently drop facts. */
  onlyKeys(obj: unknown, where: string, allowed: readonly string[]): void {
    if (typeof obj !== 'object' || obj === null) return;
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.fail(where, `unknown key "${k}"`);
  }

  fail(where: string, message: string): void {
    this.problems.push(`${this.file}: ${where} ${message}`);
  }
}

function matches(v: unknown, kind: Kind): boolean {
  return kind.split('|').some((k) => {
    switch (k) {
      case 'null':
        return v === null;
      case 'array':
        return Array.isArray(v);
      case 'object':
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      default:
        return typeof v === k;
    }
  });
}

export const GUID_RE = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;
export const REQUIREMENT_RE = /^(audit:\{[0-9A-F-]{36}\}:(success|failure)|sysmon:\d+|policy:[a-z0-9-]+|channel:.+|sacl:[a-z-]+(:failure)?|role:[a-z-]+)$/;
