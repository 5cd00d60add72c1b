/**
 * Windows' own default audit policy (data/baselines/windows-default.yaml), for --assume-defaults: the state of a
 * subcategory side that no input names, by the host's edition. Client and server values come from real auditpol
 * listings of unconfigured machines, checked against Microsoft's "Audit Policy Recommendations" (disagreements in
 * the file); where the data says `any` (a disputed default), holds no row, or the edition is not known and the
 * editions disagree, nothing is assumed and the reason says which input settles it.
 */
import type { Catalog } from '../catalog/catalog.js';
import { loadBaselines, type Baseline } from '../catalog/baselines.js';
import type { HostEnvironment } from '../environment/model.js';

type Edition = 'client' | 'server' | 'dc';

const BASELINE: Record<Edition, string> = { client: 'windows-default-client', server: 'windows-default-server', dc: 'windows-default-dc' };

export interface DefaultSide {
  /** The default, or undefined when it cannot be assumed (reason says why). */
  on?: boolean;
  reason: string;
}

interface Table {
  byEdition: Map<Edition, Map<string, { success: string; failure: string }>>;
  /** Why the table is empty (the data could not be read against this catalog). */
  error?: string;
}

const tables = new WeakMap<Catalog, Table>();

function table(catalog: Catalog): Table {
  let t = tables.get(catalog);
  if (t) return t;
  const byEdition = new Map<Edition, Map<string, { success: string; failure: string }>>();
  try {
    const list = loadBaselines(catalog);
    for (const [edition, name] of Object.entries(BASELINE) as [Edition, string][]) {
      const b = list.find((x: Baseline) => x.name === name);
      if (b) byEdition.set(edition, new Map(b.audit.map((a) => [a.guid.toUpperCase(), { success: a.success, failure: a.failure }])));
    }
    t = { byEdition };
  } catch (e) {
    // A catalog the shipped baselines do not fit (a test catalog): no default is assumed, and the reason says so.
    t = { byEdition, error: (e as Error).message.split('\n')[0] ?? 'unreadable' };
  }
  tables.set(catalog, t);
  return t;
}

/** The host's edition as the defaults tell them apart; undefined: not known (member, standalone, no role input). */
export function editionOf(host: HostEnvironment): Edition | undefined {
  switch (host.role?.kind) {
    case 'workstation':
      return 'client';
    case 'member-server':
      return 'server';
    case 'domain-controller':
      return 'dc';
    default:
      return undefined;
  }
}

const LABEL: Record<Edition, string> = { client: 'client', server: 'server', dc: 'domain controller (server values)' };

/** Windows' default for one side of one subcategory on this host, or why it is not assumed. */
export function auditDefault(guid: string, outcome: 'success' | 'failure', host: HostEnvironment, catalog: Catalog): DefaultSide {
  const t = table(catalog);
  if (t.error) return { reason: `Windows' default audit policy data could not be read (${t.error})` };
  const g = guid.toUpperCase();
  const want = (e: Edition) => t.byEdition.get(e)?.get(g)?.[outcome];
  const said = (w: string | undefined) => (w === 'on' ? true : w === 'off' ? false : undefined);
  const edition = editionOf(host);
  const src = 'baseline windows-default';
  const side = outcome === 'success' ? 'Success' : 'Failure';
  if (edition) {
    const w = want(edition);
    if (w === undefined) return { reason: `Windows' default for this subcategory is not documented in the sources read (data/baselines/windows-default.yaml)` };
    const on = said(w);
    if (on === undefined)
      return {
        reason: `Windows' default ${side} for this subcategory on a ${LABEL[edition]} is disputed between the sources (data/baselines/windows-default.yaml); auditpol /get /category:* /r on the host settles it`,
      };
    return { on, reason: `${side} ${on ? 'on' : 'off'} by default on a ${LABEL[edition]} (${src}-${edition})` };
  }
  // Edition not known: only a default client and server share is taken.
  const c = said(want('client'));
  const s = said(want('server'));
  if (c !== undefined && c === s)
    return { on: c, reason: `${side} ${c ? 'on' : 'off'} by default on clients and servers alike (${src}-client/-server; the host's edition is not known)` };
  return {
    reason: `Windows' default ${side} for this subcategory differs between client and server or is disputed, and the host's edition is not in the inputs (--role, systeminfo or gpresult settle it)`,
  };
}
