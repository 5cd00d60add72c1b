/**
 * What a baseline file records but no comparison reads (`sacls`, `forwards`; data/README.md, baselines/): object
 * SACLs and forwarding subscriptions of the publication, kept with their sources so `baseline --list` and the data
 * say them. No host input shows a WMI namespace or AD object SACL, so comparing them would only ever say unknown.
 */
import { SACL_KINDS } from './catalog.js';
import type { Checker } from './validate.js';

/** An object SACL the publication sets: recorded with its source, not compared (no input shows it). */
export interface BaselineSacl {
  kind: string;
  object: string;
  trustee: string;
  access: string;
  inherit: boolean;
  source: string;
}

/** What the publisher's forwarding configuration (WEF subscriptions) collects: recorded, not compared. */
export interface BaselineForward {
  subscription: string;
  channel: string;
  query: string;
  enabled: boolean;
  source: string;
}

export function readRecorded(c: Checker, doc: unknown): { sacls: BaselineSacl[]; forwards: BaselineForward[] } {
  const top = 'top level';
  const url = (o: unknown, w: string): string => {
    const s = c.field<string>(o, w, 'source', 'string') ?? '';
    if (s && !/^https:\/\/\S+$/.test(s)) c.fail(w, `source "${s}" is not an https URL`);
    return s;
  };
  const sacls = (c.field<unknown[]>(doc, top, 'sacls', 'array', true) ?? []).map((o, i): BaselineSacl => {
    const w = `sacls[${i}]`;
    c.onlyKeys(o, w, ['kind', 'object', 'trustee', 'access', 'inherit', 'source']);
    const kind = c.field<string>(o, w, 'kind', 'string') ?? '';
    if (kind && !SACL_KINDS.includes(kind)) c.fail(w, `kind "${kind}" is not one of ${SACL_KINDS.join(', ')}`);
    const str = (k: string) => c.field<string>(o, w, k, 'string') ?? '';
    return {
      kind,
      object: str('object'),
      trustee: str('trustee'),
      access: str('access'),
      inherit: c.field<boolean>(o, w, 'inherit', 'boolean') ?? false,
      source: url(o, w),
    };
  });
  const forwards = (c.field<unknown[]>(doc, top, 'forwards', 'array', true) ?? []).map((o, i): BaselineForward => {
    const w = `forwards[${i}]`;
    c.onlyKeys(o, w, ['subscription', 'channel', 'query', 'enabled', 'source']);
    const str = (k: string) => c.field<string>(o, w, k, 'string') ?? '';
    return {
      subscription: str('subscription'),
      channel: str('channel'),
      query: str('query'),
      enabled: c.field<boolean>(o, w, 'enabled', 'boolean') ?? false,
      source: url(o, w),
    };
  });
  return { sacls, forwards };
}
