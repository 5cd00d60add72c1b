/** README.txt of the fix folder: the two plans, the readiness each reaches, each file, and the order to apply them. */
import { terminalLine } from '../escape.js';
import type { PlanProjection } from '../result/result.js';
import { hostPlanLine, planLine, readyLine, sysmonFileLines } from './plans-text.js';

/** Hosts listed one per line in README.txt (the console shows the first few). */
const README_HOSTS = 1000;

export function planReadme(p: PlanProjection, names: string[], builtinLines: string[], sysmonNotes: string[], hostCount: number): string[] {
  const line = (s: string) => terminalLine(s);
  const has = (re: RegExp) => names.some((n) => re.test(n));
  const builtin = names.some((n) => !/^sysmon-/.test(n));
  const sysmon = has(/^sysmon-/);
  const out = [
    'logsource-check remediation files: two plans for the same rule set. Each file only adds logging; none turns anything off.',
    '',
    'Readiness, re-assessed with each plan applied to the inputs (the Sysmon plan on top of the built-in one):',
    line(`  ${planLine(p)}`),
    line(`  ${readyLine(p, hostCount)}`),
  ];
  if (p.hosts.length > 1) for (const h of p.hosts.slice(0, README_HOSTS)) out.push(line(`  ${hostPlanLine(h)}`));
  if (p.hosts.length > README_HOSTS) out.push(`  … ${p.hosts.length - README_HOSTS} more hosts in the JSON report (fix --report plans.json)`);
  for (const n of p.notes) out.push(line(`  ${n}`));
  out.push(
    '',
    'Plan 1, built-in: audit policy, administrative-template policies, event channels and SACLs. Nothing to install.',
    `  It is ranked without Sysmon: no setting is left out because Sysmon could also cover a rule. ${p.builtin.settings} setting(s), event volume up to ${p.maxVolume} (--max-volume).`,
    'Plan 2, with Sysmon: the Sysmon event types that make more rules ready once plan 1 is applied.',
    `  ${p.sysmon.elements} element(s) in a new config; where a host already runs Sysmon with a config the inputs hold, merged into that config.`,
  );
  if (!builtin) out.push('  (plan 1 files not written here: fix --plan builtin or --plan both writes them)');
  if (!sysmon)
    out.push(
      p.sysmon.files.length
        ? '  (plan 2 files not written here: fix --plan sysmon or --plan both writes them)'
        : '  (plan 2 adds nothing here: no Sysmon event type within the budget makes another rule ready)',
    );
  out.push('', 'Order to apply:');
  let step = 0;
  const put = (s: string) => out.push(`  ${++step}. ${s}`);
  if (builtin) {
    if (has(/^audit(-.+)?\.csv$|^enable-audit\.cmd$|^intune-/))
      put(
        'audit policy: audit.csv into the GPO that sets audit policy (or enable-audit.cmd on a host without one, or the intune CSV with MDM); audit-force-subcategories.reg with it where written.',
      );
    if (has(/^logging-policies\.reg$/)) put('logging-policies.reg (the command line in 4688, PowerShell logging, log sizes).');
    if (has(/^enable-channels\.cmd$/)) put('enable-channels.cmd (channels off by default, log sizes).');
    if (has(/^set-audit-sacls/)) put('set-audit-sacls*.ps1, once Audit Registry / Audit File System are on (step 1).');
  }
  if (sysmon) {
    if (has(/^sysmon-merged/))
      put(
        'sysmon-merged*.xml on the hosts that run the config it was merged from: sysmon64 -c sysmon-merged.xml (it replaces the running config: the merge keeps all of the deployed one).',
      );
    if (has(/^sysmon-additions\.xml$/))
      put(
        'sysmon-additions.xml on hosts without Sysmon: sysmon64 -accepteula -i sysmon-additions.xml. On a host that runs Sysmon with a config not given here, do not apply it as it is (sysmon -c replaces the whole config): merge it first with logsource-check sysmon-config <rules> --base <that config>.',
      );
  }
  put('collect again (logsource-check collect-script) and re-run check: the projection above is what the files give if every step succeeds.');
  if (builtin) out.push('', 'Plan 1 files:', ...builtinLines.slice(2));
  if (sysmon) {
    out.push('', 'Plan 2 files (Sysmon):');
    for (const l of sysmonFileLines(p, hostCount)) out.push(line(`  ${l}`));
    for (const f of p.sysmon.files) for (const a of f.added) out.push(line(`    ${f.name} adds: ${a}`));
    for (const n of sysmonNotes) out.push(line(`  note: ${n}`));
  }
  return out;
}
