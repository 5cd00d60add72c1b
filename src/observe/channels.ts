/**
 * Channel names as exports spell them, turned into the names Windows gives the channels. Matching against
 * what rules need is case-insensitive anyway; this makes reports show one spelling and undoes the prefixes
 * and abbreviations of the tools that wrote the export.
 */

/** Well-known channels in Windows' own spelling, by lower-case name. */
const CANONICAL = new Map(
  [
    'Security',
    'System',
    'Application',
    'Setup',
    'Windows PowerShell',
    'Microsoft-Windows-Sysmon/Operational',
    'Microsoft-Windows-PowerShell/Operational',
    'PowerShellCore/Operational',
    'Microsoft-Windows-Windows Defender/Operational',
    'Microsoft-Windows-TaskScheduler/Operational',
    'Microsoft-Windows-WMI-Activity/Operational',
    'Microsoft-Windows-Bits-Client/Operational',
    'Microsoft-Windows-DNS-Client/Operational',
    'ForwardedEvents',
  ].map((c) => [c.toLowerCase(), c]),
);

/**
 * Hayabusa abbreviates channels in its output (config/channel_abbreviations.txt of Yamato-Security/hayabusa
 * and hayabusa-rules): abbreviation → channel. Abbreviations that stand for several channels ("AppLocker",
 * "SecMitig") are left out: a count under them cannot be tied to one channel.
 */
const HAYABUSA: Record<string, string> = {
  App: 'Application',
  'DNS-Svr': 'DNS Server',
  KeyMgtSvc: 'Key Management Service',
  SvcBusCli: 'Microsoft-ServiceBus-Client',
  CodeInteg: 'Microsoft-Windows-CodeIntegrity/Operational',
  'LDAP-Cli': 'Microsoft-Windows-LDAP-Client/Debug',
  BitsCli: 'Microsoft-Windows-Bits-Client/Operational',
  'DHCP-Svr': 'Microsoft-Windows-DHCP-Server/Operational',
  DvrFmwk: 'Microsoft-Windows-DriverFrameworks-UserMode/Operational',
  NTLM: 'Microsoft-Windows-NTLM/Operational',
  SmbCliSec: 'Microsoft-Windows-SmbClient/Security',
  Sysmon: 'Microsoft-Windows-Sysmon/Operational',
  TaskSch: 'Microsoft-Windows-TaskScheduler/Operational',
  'RDP-Cli': 'Microsoft-Windows-TerminalServices-RDPClient/Operational',
  'RDP-Client': 'Microsoft-Windows-TerminalServices-RDPClient/Operational',
  'RDP-CoreTS': 'Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational',
  PrintAdm: 'Microsoft-Windows-PrintService/Admin',
  PrintOp: 'Microsoft-Windows-PrintService/Operational',
  PwSh: 'Microsoft-Windows-PowerShell/Operational',
  Defender: 'Microsoft-Windows-Windows Defender/Operational',
  Firewall: 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall',
  WinRM: 'Microsoft-Windows-WinRM/Operational',
  WMI: 'Microsoft-Windows-WMI-Activity/Operational',
  Exchange: 'MSExchange Management',
  OpenSSH: 'OpenSSH/Operational',
  Sec: 'Security',
  Sys: 'System',
  PwShClassic: 'Windows PowerShell',
  Forwarding: 'Microsoft-Windows-Forwarding/Operational',
  GroupPolicy: 'Microsoft-Windows-GroupPolicy/Operational',
  'RDS-GTW': 'Microsoft-Windows-TerminalServices-Gateway/Operational',
  'RDS-RCM': 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational',
  'RDS-LSM': 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
  PwShCore: 'PowerShellCore/Operational',
};
const HAYABUSA_AMBIGUOUS = new Set(['applocker', 'secmitig']);
const HAYABUSA_LOWER = new Map(Object.entries(HAYABUSA).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * Splunk's Windows add-on names the source `WinEventLog:<channel>` (classic rendering) or
 * `XmlWinEventLog:<channel>` (renderXml = true); add-on versions before 5 used the same as the sourcetype.
 */
const SPLUNK_PREFIX = /^(?:Xml)?WinEventLog:/i;

/** The channel an export's value names, or undefined when the value names none ("" or a bare sourcetype). */
export function normaliseChannel(raw: string, opts: { hayabusa?: boolean } = {}): string | undefined {
  let v = raw.trim();
  if (SPLUNK_PREFIX.test(v)) v = v.replace(SPLUNK_PREFIX, '').trim();
  else if (/^(?:Xml)?WinEventLog$/i.test(v)) return undefined; // a sourcetype without the channel
  if (!v) return undefined;
  if (opts.hayabusa) {
    const low = v.toLowerCase();
    if (HAYABUSA_AMBIGUOUS.has(low)) return undefined;
    const full = HAYABUSA_LOWER.get(low);
    if (full) return full;
  }
  const low = v.toLowerCase();
  // Not channel names but what people call the Sysmon log: harmless to map, no other channel is called so.
  if (low === 'sysmon' || low === 'microsoft-windows-sysmon') return 'Microsoft-Windows-Sysmon/Operational';
  return CANONICAL.get(low) ?? v;
}

/** Hayabusa abbreviations that name several channels, for the note that says why a row was skipped. */
export function isAmbiguousAbbreviation(raw: string): boolean {
  return HAYABUSA_AMBIGUOUS.has(raw.trim().toLowerCase());
}

/** The key two spellings of one channel share. */
export function channelKey(channel: string): string {
  return channel.trim().toLowerCase();
}
