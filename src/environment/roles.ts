/** --role [HOST=]ROLE[,ROLE…]: what a host is, stated by the user; stated roles are complete. */
import { hostKey, type HostEnvironment } from './model.js';

type Kind = NonNullable<HostEnvironment['role']>['kind'];

/** Role words of --role: the host kind and the server roles the catalog restricts events to. */
const ROLE_WORDS: Record<string, { kind?: Kind; feature?: string }> = {
  dc: { kind: 'domain-controller' },
  'domain-controller': { kind: 'domain-controller' },
  workstation: { kind: 'workstation' },
  client: { kind: 'workstation' },
  server: { kind: 'member-server' },
  'member-server': { kind: 'member-server' },
  ca: { feature: 'certification-authority' },
  'certification-authority': { feature: 'certification-authority' },
  nps: { feature: 'network-policy-server' },
  'network-policy-server': { feature: 'network-policy-server' },
  dns: { feature: 'dns-server' },
  'dns-server': { feature: 'dns-server' },
  iis: { feature: 'iis' },
  exchange: { feature: 'exchange' },
  adfs: { feature: 'adfs' },
  // Products whose providers some rules read (data/channels.yaml products).
  'sql-server': { feature: 'sql-server' },
  mssql: { feature: 'sql-server' },
  screenconnect: { feature: 'screenconnect' },
  wsus: { feature: 'wsus' },
};

/** The --role word a reason tells the user to pass for a feature: the first listed for it ("dns", "sql-server"). */
export function roleWord(feature: string): string {
  return Object.keys(ROLE_WORDS).find((w) => ROLE_WORDS[w]?.feature === feature) ?? feature;
}

export interface RoleOption {
  value: string;
  host?: string;
  kind?: Kind;
  features: string[];
}

/** Parses one --role value ("dc,dns" or "WS-0142=workstation"); throws with the offending word. */
export function parseRoleOption(value: string): { host?: string; kind?: Kind; features: string[] } {
  const eq = value.indexOf('=');
  const host = eq >= 0 ? value.slice(0, eq).trim() : undefined;
  const words = (eq >= 0 ? value.slice(eq + 1) : value)
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (!words.length || host === '') throw new Error(`--role "${value}": expected [HOST=]ROLE[,ROLE…]`);
  let kind: Kind;
  const features: string[] = [];
  for (const w of words) {
    const r = ROLE_WORDS[w];
    if (!r) throw new Error(`--role "${value}": unknown role "${w}" (known: ${Object.keys(ROLE_WORDS).join(', ')})`);
    if (r.kind) kind = r.kind;
    if (r.feature) features.push(r.feature);
  }
  return { host, kind, features };
}

/** Stated roles replace what gpresult suggests, in the order given; a disagreement is reported as a conflict. */
export function applyRoles(host: HostEnvironment, roles: RoleOption[]): void {
  for (const r of roles) {
    if (r.host && hostKey(host.name) !== hostKey(r.host)) continue;
    const prev = host.role;
    if (prev?.kind && r.kind && prev.kind !== r.kind && !(prev.kind === 'member' && r.kind !== 'domain-controller')) {
      host.conflicts.push(`role: ${prev.source} says ${prev.kind}, --role says ${r.kind} (--role wins)`);
    }
    host.role = { kind: r.kind ?? prev?.kind, features: new Set(r.features), complete: true, source: `--role ${r.value}` };
  }
}
