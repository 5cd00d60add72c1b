/** What a host's channel list tells beyond each channel (data/channels.yaml): type and schema check, lookups. */
import { ROLES } from './role-names.js';
import { Checker } from './validate.js';

export interface RoleChannel {
  channel: string;
  /** Any channel whose name starts with `channel` (MSExchange …). */
  prefix?: boolean;
  /** A catalog role (catalog.ts ROLES), checked by the loader. */
  role: string;
  source: string;
  note?: string;
}

/** How Sysmon is recognised however installed (data/sysmon-install.yaml). */
export interface SysmonInstallFacts {
  publisher: string;
  altitude: string;
  /** Lower-case default service names. */
  defaultServices: string[];
  builtin: { binaryDir: string; service: string };
}

/** The level an event is written with (read from real captures), for collector queries that filter on Level. */
export interface EventLevel {
  channel: string;
  provider: string;
  event: number;
  level: number;
}

/** An event provider that belongs to one product: rules reading only such providers need the product. */
export interface ProductProvider {
  provider: string;
  /** Every provider whose name starts with `provider` (MSSQL → MSSQLSERVER, MSSQL$SQLEXPRESS …). */
  prefix?: boolean;
  role: (typeof ROLES)[number];
}

export interface ChannelFacts {
  /** Channels every supported Windows install registers (as Windows names them; compare lower-cased). */
  always: string[];
  roles: RoleChannel[];
  products: ProductProvider[];
  levels: EventLevel[];
  sysmon: SysmonInstallFacts;
  /** wevtutil's "channel not found" in other languages (substrings). */
  notFound: string[];
}

export const NO_CHANNEL_FACTS: ChannelFacts = {
  notFound: [],
  always: [],
  roles: [],
  products: [],
  levels: [],
  sysmon: { publisher: 'Microsoft-Windows-Sysmon', altitude: '', defaultServices: ['sysmon64', 'sysmon'], builtin: { binaryDir: '', service: '' } },
};

function checkSysmonInstall(doc: unknown, problems: string[]): SysmonInstallFacts {
  const c = new Checker('sysmon-install.yaml');
  c.onlyKeys(doc, 'top level', ['publisher', 'minifilterAltitude', 'minifilterSource', 'defaultServices', 'defaultServicesSource', 'builtin']);
  const pub = c.field<Record<string, unknown>>(doc, 'top level', 'publisher', 'object');
  c.onlyKeys(pub, 'publisher', ['name', 'guid', 'source']);
  const publisher = c.field<string>(pub, 'publisher', 'name', 'string') ?? '';
  // The GUID is recorded as a fact with its source; nothing reads it yet (the collection script asks by name).
  c.field<string>(pub, 'publisher', 'guid', 'string');
  c.field<string>(pub, 'publisher', 'source', 'string');
  const altitude = c.field<string>(doc, 'top level', 'minifilterAltitude', 'string') ?? '';
  c.field<string>(doc, 'top level', 'minifilterSource', 'string');
  c.field<string>(doc, 'top level', 'defaultServicesSource', 'string');
  const defaultServices = (c.field<unknown[]>(doc, 'top level', 'defaultServices', 'array') ?? [])
    .filter((s): s is string => typeof s === 'string')
    .map((s) => s.toLowerCase());
  const b = c.field<Record<string, unknown>>(doc, 'top level', 'builtin', 'object');
  c.onlyKeys(b, 'builtin', ['binaryDir', 'service', 'source']);
  c.field<string>(b, 'builtin', 'source', 'string');
  const builtin = {
    binaryDir: c.field<string>(b, 'builtin', 'binaryDir', 'string') ?? '',
    service: (c.field<string>(b, 'builtin', 'service', 'string') ?? '').toLowerCase(),
  };
  problems.push(...c.problems);
  return { publisher, altitude, defaultServices, builtin };
}

export function checkChannelFacts(doc: unknown, sysmonDoc: unknown, roleNames: readonly string[], problems: string[]): ChannelFacts {
  const c = new Checker('channels.yaml');
  c.onlyKeys(doc, 'top level', ['always', 'roles', 'levels', 'products', 'notFound']);
  const always = (c.field<unknown[]>(doc, 'top level', 'always', 'array') ?? []).flatMap((v, i) => {
    if (typeof v !== 'string' || !v.trim()) {
      c.fail(`always[${i}]`, 'should be a channel name');
      return [];
    }
    return [v];
  });
  const roles = (c.field<unknown[]>(doc, 'top level', 'roles', 'array') ?? []).flatMap((e, i) => {
    const w = `roles[${i}]`;
    c.onlyKeys(e, w, ['channel', 'prefix', 'role', 'source', 'note']);
    const channel = c.field<string>(e, w, 'channel', 'string');
    const role = c.field<string>(e, w, 'role', 'string');
    const source = c.field<string>(e, w, 'source', 'string');
    const prefix = c.field<boolean>(e, w, 'prefix', 'boolean', true);
    const note = c.field<string>(e, w, 'note', 'string', true);
    if (role !== undefined && !roleNames.includes(role)) c.fail(w, `unknown role "${role}" (known: ${roleNames.join(', ')})`);
    if (!channel || !role || !source || !roleNames.includes(role)) return [];
    return [{ channel, role, source, ...(prefix ? { prefix } : {}), ...(note ? { note } : {}) }];
  });
  const levels = (c.field<unknown[]>(doc, 'top level', 'levels', 'array', true) ?? []).flatMap((e, i) => {
    const w = `levels[${i}]`;
    c.onlyKeys(e, w, ['channel', 'provider', 'event', 'level', 'source', 'note']);
    const channel = c.field<string>(e, w, 'channel', 'string');
    const provider = c.field<string>(e, w, 'provider', 'string');
    const event = c.field<number>(e, w, 'event', 'number');
    const level = c.field<number>(e, w, 'level', 'number');
    c.field(e, w, 'source', 'string');
    c.field(e, w, 'note', 'string', true);
    if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 255)) c.fail(w, `level ${level} is not 0-255`);
    return channel && provider && event !== undefined && level !== undefined ? [{ channel, provider, event, level }] : [];
  });
  const products = (c.field<unknown[]>(doc, 'top level', 'products', 'array', true) ?? []).flatMap((e, i) => {
    const w = `products[${i}]`;
    c.onlyKeys(e, w, ['provider', 'prefix', 'role', 'source', 'note']);
    const provider = c.field<string>(e, w, 'provider', 'string');
    const role = c.field<string>(e, w, 'role', 'string');
    const prefix = c.field<boolean>(e, w, 'prefix', 'boolean', true);
    c.field(e, w, 'source', 'string');
    c.field(e, w, 'note', 'string', true);
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) c.fail(w, `unknown role "${role}" (known: ${ROLES.join(', ')})`);
    if (!provider || !role || !(ROLES as readonly string[]).includes(role)) return [];
    return [{ provider, role: role as ProductProvider['role'], ...(prefix ? { prefix } : {}) }];
  });
  const notFound = (c.field<unknown[]>(doc, 'top level', 'notFound', 'array', true) ?? []).flatMap((e, i) => {
    const w = `notFound[${i}]`;
    c.onlyKeys(e, w, ['text', 'language', 'source']);
    const text = c.field<string>(e, w, 'text', 'string');
    c.field(e, w, 'language', 'string');
    c.field(e, w, 'source', 'string');
    return text ? [text] : [];
  });
  problems.push(...c.problems);
  return { always, roles, products, levels, notFound, sysmon: checkSysmonInstall(sysmonDoc, problems) };
}

/**
 * The product a rule's provider value belongs to. `modifier`: how the rule compares it ('' equality,
 * startswith, contains): a contains / startswith value that holds the product's prefix names that product.
 */
export function productOfProvider(facts: ChannelFacts, value: string, modifier: string): ProductProvider | undefined {
  const v = value.toLowerCase();
  return facts.products.find((p) => {
    const name = p.provider.toLowerCase();
    if (modifier === 'contains') return p.prefix ? v.includes(name) : false;
    if (modifier === 'startswith') return p.prefix ? v.startsWith(name) : false;
    if (modifier !== '') return false;
    return p.prefix ? v.startsWith(name) : v === name;
  });
}

/** The level of an event of this channel and provider, when a real capture showed it. */
export function levelOf(facts: ChannelFacts, channel: string, provider: string, event: number): number | undefined {
  const c = channel.toLowerCase();
  const p = provider.toLowerCase();
  return facts.levels.find((l) => l.event === event && l.channel.toLowerCase() === c && l.provider.toLowerCase() === p)?.level;
}

/** The role a channel's existence proves, if any. */
export function roleOfChannel(facts: ChannelFacts, channel: string): RoleChannel | undefined {
  const lower = channel.toLowerCase();
  return facts.roles.find((r) => (r.prefix ? lower.startsWith(r.channel.toLowerCase()) : lower === r.channel.toLowerCase()));
}
