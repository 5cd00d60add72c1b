/**
 * Roles a requirement role:<name> may name (data/README.md): server roles and the products of data/channels.yaml.
 * Its own module so that catalog.ts and channel-facts.ts (which validates channels.yaml) share it without a cycle.
 */
export const ROLES = [
  'domain-controller',
  'certification-authority',
  'network-policy-server',
  'dns-server',
  'iis',
  'exchange',
  'adfs',
  'sql-server',
  'screenconnect',
  'wsus',
] as const;
