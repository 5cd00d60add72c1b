/**
 * The fix for every log-size warning: logs the rule set reads that a host caps below the recommendation
 * (data/eventlog.yaml) are raised to it, never lowered; retention is left alone (no source asks to change it,
 * and "never overwrite" would stop logging when the log is full).
 *  - enable-channels.cmd: `wevtutil sl <log> /ms:<bytes>` per host whose size is below (guarded by the computer
 *    name on a fleet, so a host whose log is already larger is never touched). It changes the log's local
 *    setting; a policy that sets the size (in force over it) is not changed, so the size can only grow.
 *  - logging-policies.reg: the administrative-template policy "Specify the maximum log file size (KB)"
 *    (HKLM\SOFTWARE\Policies\Microsoft\Windows\EventLog\<log>, MaxSize, DWORD in KB). The policy wins over the
 *    local setting, so it is written only where the size it replaces is known to be smaller on every host: the
 *    size in force (wevtutil gl) or that policy's own value. A size read from gpresult's Security Settings says
 *    nothing of the policy, which may already be larger.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import { hostKey } from '../environment/model.js';
import { logSizeShortfalls, rulesPerLog, type LogSizeShortfall } from '../assess/logsize.js';
import type { AssessInput } from '../assess/counts.js';
import { cmdArg, cmdText, regComment } from '../escape.js';

export interface LogSizeFix {
  regLines: string[];
  regSettings: number;
  cmdLines: string[];
  cmdSettings: number;
  /** Lines left out of enable-channels.cmd, and why. */
  notes: string[];
  /** Warnings for the top of enable-channels.cmd: a policy sets the size of a log it raises, and puts it back. */
  cmdHeader: string[];
  /** The same, for README.txt. */
  policyNotes: string[];
}

/** wevtutil's /ms takes bytes (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wevtutil). */
const KB = 1024;

export function logSizeFix(result: AssessInput, catalog: Catalog, hosts: HostEnvironment[]): LogSizeFix {
  const use = rulesPerLog(result, catalog);
  const short = hosts.map((h) => ({ host: h, list: logSizeShortfalls(h, use, catalog) }));
  const fix: LogSizeFix = { regLines: [], regSettings: 0, cmdLines: [], cmdSettings: 0, notes: [], cmdHeader: [], policyNotes: [] };
  for (const t of catalog.eventLogs) {
    const per = short.map((s) => ({ host: s.host, s: s.list.find((x) => x.log === t.log) }));
    const below = per.filter((p): p is { host: HostEnvironment; s: LogSizeShortfall } => p.s !== undefined);
    if (!below.length) continue;
    const why = `recommended ${t.recommendedMinKB} KB (${t.source})`;
    for (const { host, s } of below) {
      // A .cmd file is ASCII (encode.ts): a host or log name it cannot hold exactly leaves the command out.
      const name = hosts.length > 1 ? cmdArg(hostKey(host.name)) : '';
      const log = cmdArg(t.log);
      if (name === undefined || log === undefined) {
        fix.cmdLines.push(
          `rem ${cmdText(`${t.log} log on ${host.name}: below the ${why}; left out: the ${name === undefined ? 'host' : 'log'} name cannot be written exactly in a .cmd file (see the note)`)}`,
        );
        fix.notes.push(
          `enable-channels.cmd leaves out raising the ${t.log} log on ${host.name} to ${t.recommendedMinKB} KB: a .cmd file is ASCII and the ${name === undefined ? 'host' : 'log'} name holds a character cmd.exe would read differently or expand; on that host run: wevtutil sl "${t.log}" /ms:${t.recommendedMinKB * KB}`,
        );
        continue;
      }
      const guard = hosts.length > 1 ? `if /i "%COMPUTERNAME%"=="${name}" ` : '';
      // A policy that sets the size (a GPO's Event Log setting, the administrative template) wins over wevtutil's
      // local size and puts it back at the next refresh: the size has to be changed in that policy.
      const policy = host.eventLogs.get(t.log)?.policy ?? (/\(GPO [^)]*\)$/.test(s.setting) ? s.setting : undefined);
      const warn =
        policy &&
        `${/^GPO |\(GPO /.test(policy) ? 'a GPO' : 'a policy'} sets this size (${policy}): its next refresh puts it back, so the wevtutil line below does not last; change the size in that policy`;
      if (warn) {
        const where = `${t.log} log on ${host.name}: ${warn}`;
        fix.cmdHeader.push(`rem WARNING: ${cmdText(where)}`, `echo WARNING: ${cmdText(where)}`);
        fix.policyNotes.push(`WARNING: ${where}.`);
      }
      fix.cmdLines.push(
        `rem ${cmdText(`${t.log} log on ${host.name}: capped at ${s.currentKB} KB (${s.setting}), below the ${why}; raised to it, retention unchanged`)}`,
        ...(warn ? [`rem ${cmdText(warn)}`] : []),
        `${guard}wevtutil sl "${log}" /ms:${t.recommendedMinKB * KB}`,
      );
      fix.cmdSettings++;
    }
    // The policy overrides whatever size is set locally: only where that size is known, on every host, to be smaller.
    if (below.length === hosts.length && below.every(({ s }) => /\((in force|administrative template)\)$/.test(s.setting))) {
      const sizes = below.map(({ host, s }) => `${host.name} at ${s.currentKB} KB (${s.setting})`).join(', ');
      fix.regLines.push(
        '',
        `; ${regComment(`${t.log} log capped below the ${why}: ${sizes}.`)}`,
        `; ${regComment('Policy "Specify the maximum log file size (KB)" (Windows Components > Event Log Service); raises the size, retention unchanged.')}`,
        `[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\${t.log.replace(/[^A-Za-z0-9 _-]/g, '')}]`,
        `"MaxSize"=dword:${t.recommendedMinKB.toString(16).padStart(8, '0')}`,
      );
      fix.regSettings++;
    }
  }
  return fix;
}
