/** What the systeminfo readers (CSV and list) tell of a host. */
export type HostRole = 'workstation' | 'member-server' | 'standalone-server' | 'domain-controller' | 'standalone-workstation';

export interface SystemInfo {
  computer?: string;
  osName?: string;
  osVersion?: string;
  /** "OS Configuration" as printed (possibly translated). */
  osConfiguration?: string;
  role?: HostRole;
  domain?: string;
  notes: string[];
}
