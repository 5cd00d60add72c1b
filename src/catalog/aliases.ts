/** Log-source aliases and inference tables (data/logsource-aliases.yaml): types and their schema check. */
import { Checker } from './validate.js';
import { append } from '../lines.js';

export interface LogSourceTarget {
  category?: string;
  service?: string;
}

export interface LogSourceAlias {
  field: 'category' | 'service';
  name: string;
  to: LogSourceTarget[];
  /** Applies only when the rule's service is this one too (category antivirus + service windefend). */
  withService?: string;
  reason: string;
  source: string;
}

export interface AliasData {
  aliases: LogSourceAlias[];
  providers: { provider: string; channel: string; reason: string; source: string }[];
  /** IDs that only these channels hold (4103/4104: Windows PowerShell's and PowerShell 7's Operational logs). */
  eventIds: { ids: number[]; channels: string[]; reason: string; source: string }[];
  fields: { service: string; fields: string[]; events: number[]; reason: string; source: string }[];
}

export const NO_ALIASES: AliasData = { aliases: [], providers: [], eventIds: [], fields: [] };

export function checkAliases(doc: unknown, problems: string[]): AliasData {
  const c = new Checker('logsource-aliases.yaml');
  const list = (key: string) => c.field<unknown[]>(doc, 'top level', key, 'array') ?? [];
  const aliases = list('aliases') as LogSourceAlias[];
  aliases.forEach((a, i) => {
    const w = `aliases[${i}] (${a?.name})`;
    c.onlyKeys(a, w, ['field', 'name', 'to', 'withService', 'reason', 'source']);
    const f = c.field<string>(a, w, 'field', 'string');
    if (f && f !== 'category' && f !== 'service') c.fail(w, 'field must be category or service');
    for (const k of ['name', 'reason', 'source']) c.field(a, w, k, 'string');
    c.field(a, w, 'withService', 'string', true);
    for (const t of c.field<unknown[]>(a, w, 'to', 'array') ?? []) {
      c.onlyKeys(t, `${w}.to`, ['category', 'service']);
      const target = t as LogSourceTarget;
      if (!target.category === !target.service) c.fail(`${w}.to`, 'needs exactly one of category and service');
    }
  });
  const providers = list('providers') as AliasData['providers'];
  providers.forEach((p, i) => {
    const w = `providers[${i}]`;
    c.onlyKeys(p, w, ['provider', 'channel', 'reason', 'source']);
    for (const k of ['provider', 'channel', 'reason', 'source']) c.field(p, w, k, 'string');
  });
  const eventIds = list('eventIds') as AliasData['eventIds'];
  eventIds.forEach((e, i) => {
    const w = `eventIds[${i}]`;
    c.onlyKeys(e, w, ['ids', 'channels', 'reason', 'source']);
    c.field(e, w, 'ids', 'array');
    const chs = c.field<unknown[]>(e, w, 'channels', 'array');
    if (chs && (!chs.length || chs.some((x) => typeof x !== 'string'))) c.fail(w, 'channels must be a non-empty list of channel names');
    for (const k of ['reason', 'source']) c.field(e, w, k, 'string');
  });
  const fields = list('fields') as AliasData['fields'];
  fields.forEach((e, i) => {
    const w = `fields[${i}]`;
    c.onlyKeys(e, w, ['service', 'fields', 'events', 'reason', 'source']);
    c.field(e, w, 'fields', 'array');
    c.field(e, w, 'events', 'array');
    for (const k of ['service', 'reason', 'source']) c.field(e, w, k, 'string');
  });
  append(problems, c.problems);
  return { aliases, providers, eventIds, fields };
}
