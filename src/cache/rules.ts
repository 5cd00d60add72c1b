/**
 * How a parse result is kept in the cache. A warm run that takes its resolutions from the cache too needs of
 * each rule only what the report shows (title, path, status, tags, log source, the detection's warnings); the
 * detection and its analysed facts are read only by the resolver (on a resolution-cache miss) and by the
 * Sysmon simulation and the SACL script. So a cached rule holds those two as one JSON string (`heavy`), which
 * JSON.parse passes over as a single string instead of thousands of small objects — it halves the time to
 * read a shard back — and which is parsed on the first read of `detection` or of a fact, per rule.
 */
import { validDetectionFacts } from './check.js';
import type { DetectionFacts, LoadedRule, SigmaRule } from '../rules/model.js';
import type { ParsedFile } from '../rules/parse.js';

/** A SigmaRule as cached: no detection or facts, but the facts' warnings and both as a JSON string. */
export type LightSigmaRule = Omit<SigmaRule, 'detection' | 'facts'> & { warnings: string[]; heavy: string };
export type LightRule = LightSigmaRule | Exclude<LoadedRule, SigmaRule>;
export interface LightParsed {
  rules: LightRule[];
  errors: ParsedFile['errors'];
  notes: ParsedFile['notes'];
}

type Facts = Omit<DetectionFacts, 'warnings'>;

/** The cached form of a fresh parse result, with the file's path cut off every path (`cut` characters). */
export function lighten(p: ParsedFile, cut: number): LightParsed {
  return {
    rules: p.rules.map((r): LightRule => {
      if (r.kind !== 'rule') return { ...r, path: r.path.slice(cut) };
      const { detection, facts, ...rest } = r;
      const { warnings, ...other } = facts;
      return { ...rest, path: r.path.slice(cut), warnings, heavy: JSON.stringify([detection, other]) };
    }),
    errors: p.errors.map((e) => ({ ...e, path: e.path.slice(cut) })),
    notes: p.notes.map((n) => ({ ...n, path: n.path.slice(cut) })),
  };
}

/**
 * The rules hydrated by one run: the first read of any detection or fact parses all of theirs at once (one
 * JSON.parse over the joined strings costs a fifth of thousands of small ones). A run that reads none —
 * resolutions from the cache, no Sysmon simulation — parses none.
 */
export interface Batch {
  pending: Pending[];
}

export const newBatch = (): Batch => ({ pending: [] });

/**
 * A parse result from its cached form, with `prefix` (the scanned file's path) before every path. The light
 * object is used up (its arrays become the rules'): a record used twice must be cloned first.
 */
export function hydrate(l: LightParsed, prefix: string, batch: Batch): ParsedFile {
  return {
    rules: l.rules.map((r) => (r.kind === 'rule' ? lazyRule(r, prefix, batch) : { ...r, path: prefix + r.path })),
    errors: l.errors.map((e) => ({ path: prefix + e.path, message: e.message })),
    notes: l.notes.map((n) => ({ path: prefix + n.path, message: n.message })),
  };
}

interface Pending {
  heavy: string;
  batch: Batch;
  /** Set on first read: the detection and the facts but their warnings. */
  detection?: Record<string, unknown>;
  facts?: Facts;
}

/**
 * A cached rule's facts: the warnings at once, the rest parsed on first read. The fields are getters of the
 * class: defining accessors on each of thousands of objects, or turning them into data properties once read,
 * costs more than the parse it saves. toJSON gives every field; a spread of a facts object would give only
 * the warnings, and nothing spreads one (the identical-report test would show it).
 */
class CachedFacts {
  readonly #p: Pending;
  constructor(
    public warnings: string[],
    p: Pending,
  ) {
    this.#p = p;
  }
  get eventIds(): number[] {
    return settle(this.#p).eventIds;
  }
  get fields(): string[] {
    return settle(this.#p).fields;
  }
  get positiveFields(): string[] {
    return settle(this.#p).positiveFields;
  }
  get channels(): string[] {
    return settle(this.#p).channels;
  }
  get providers(): string[] {
    return settle(this.#p).providers;
  }
  get objectTypes(): string[] {
    return settle(this.#p).objectTypes;
  }
  get conditions(): DetectionFacts['conditions'] {
    return settle(this.#p).conditions;
  }
  get selectionFields(): DetectionFacts['selectionFields'] {
    return settle(this.#p).selectionFields;
  }
  /** The fields in the order analyseDetection gives them, so a cached rule serialises as a fresh one. */
  toJSON(): DetectionFacts {
    const f = settle(this.#p);
    return {
      eventIds: f.eventIds,
      fields: f.fields,
      positiveFields: f.positiveFields,
      channels: f.channels,
      providers: f.providers,
      objectTypes: f.objectTypes,
      conditions: f.conditions,
      selectionFields: f.selectionFields,
      warnings: this.warnings,
    };
  }
}

/**
 * A cached rule: every field of a SigmaRule as own data, but the detection, which is a getter of the class.
 * One class gives every cached rule the same shape: per-object accessors would give each rule a shape of its
 * own and make every property read of the resolver and the report slow. A spread or structuredClone of the
 * rule would miss the detection (nothing does either; toJSON gives it).
 */
class CachedRule implements SigmaRule {
  readonly kind = 'rule' as const;
  path: string;
  docIndex: number;
  logsourceLine?: number;
  id?: string;
  name?: string;
  title: string;
  status?: string;
  level?: string;
  tags: string[];
  techniques: string[];
  logsource: SigmaRule['logsource'];
  facts: DetectionFacts;
  readonly #p: Pending;
  constructor(l: LightSigmaRule, path: string, p: Pending) {
    this.path = path;
    this.docIndex = l.docIndex;
    this.logsourceLine = l.logsourceLine;
    this.id = l.id;
    this.name = l.name;
    this.title = l.title;
    this.status = l.status;
    this.level = l.level;
    this.tags = l.tags;
    this.techniques = l.techniques;
    this.logsource = l.logsource;
    this.facts = new CachedFacts(l.warnings, p);
    this.#p = p;
  }
  get detection(): Record<string, unknown> {
    settle(this.#p);
    return this.#p.detection as Record<string, unknown>;
  }
  set detection(v: Record<string, unknown>) {
    settle(this.#p);
    this.#p.detection = v;
  }
  /** The fields in the order a fresh parse gives them. */
  toJSON(): SigmaRule {
    const { kind, path, docIndex, logsourceLine, id, name, title, status, level, tags, techniques, logsource } = this;
    return { kind, path, docIndex, logsourceLine, id, name, title, status, level, tags, techniques, logsource, detection: this.detection, facts: this.facts };
  }
}

function lazyRule(l: LightSigmaRule, prefix: string, batch: Batch): SigmaRule {
  const p: Pending = { heavy: l.heavy, batch };
  batch.pending.push(p);
  return new CachedRule(l, prefix + l.path, p);
}

/** A rule's detection and facts, parsed (with those of its whole batch) on first use. */
function settle(p: Pending): Facts {
  if (!p.facts) settleBatch(p.batch);
  return p.facts as Facts;
}

function settleBatch(batch: Batch): void {
  const todo = batch.pending;
  batch.pending = [];
  let all: unknown;
  try {
    all = JSON.parse(`[${todo.map((p) => p.heavy).join(',')}]`);
  } catch {
    all = undefined; // a damaged string among them: each is parsed on its own below
  }
  const joined = Array.isArray(all) && all.length === todo.length ? all : undefined;
  todo.forEach((p, i) => {
    let parsed: unknown = joined?.[i];
    if (!joined) {
      try {
        parsed = JSON.parse(p.heavy);
      } catch {
        parsed = undefined;
      }
    }
    const ok =
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'object' &&
      parsed[0] !== null &&
      !Array.isArray(parsed[0]) &&
      validDetectionFacts(parsed[1]);
    // A damaged record reads as a rule without detection: the cache is an input and never crashes a run.
    [p.detection, p.facts] = ok ? (parsed as [Record<string, unknown>, Facts]) : [{}, EMPTY_FACTS()];
    p.heavy = '';
  });
}

const EMPTY_FACTS = (): Facts => ({
  eventIds: [],
  fields: [],
  positiveFields: [],
  channels: [],
  providers: [],
  objectTypes: [],
  conditions: [],
  selectionFields: {},
});
