/** How a host role is said in prose: "domain controller", "Exchange server" (one list for every sentence). */
export const ROLE_NAMES: Record<string, string> = {
  'domain-controller': 'domain controller',
  'certification-authority': 'certification authority',
  'network-policy-server': 'Network Policy Server',
  'dns-server': 'DNS server',
  iis: 'IIS web server',
  exchange: 'Exchange server',
  adfs: 'AD FS server',
  'sql-server': 'SQL Server host',
  screenconnect: 'ScreenConnect host',
  wsus: 'WSUS server',
};

/** "a domain controller", "an Exchange server", "an IIS web server"; unknown roles by their id, hyphens as spaces. */
export function roleWithArticle(role: string): string {
  const name = ROLE_NAMES[role] ?? role.replace(/-/g, ' ');
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}
