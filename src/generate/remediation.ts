/**
 * Remediation files for what a host lacks. The rule they follow: applying a file only ever adds auditing.
 *  - enable-audit.cmd: `auditpol /set … /success:enable` only turns on what it names; nothing is disabled.
 *  - audit.csv: the COMPLETE desired advanced audit policy (what is on today, legacy categories included, plus
 *    what is missing). A GPO's advanced audit policy replaces the host's whole policy (Windows clears it first),
 *    so a file naming only the missing subcategories would turn everything else off. It is written only when
 *    the current setting of every subcategory is known; otherwise a note says which input gives it.
 *  - audit-force-subcategories.reg: where legacy categories are in force today, advanced settings would be
 *    ignored (or would silently replace them): SCENoApplyLegacyAuditPolicy = 1 makes the advanced policy apply.
 *  - logging-policies.reg, enable-channels.cmd, set-audit-sacls.ps1 (SACLs for the keys/folders the rules watch).
 *  - log sizes below the recommendation: raised in logging-policies.reg and enable-channels.cmd (logsize-fix.ts).
 * Each setting's comment gives its event volume (catalog rating on these hosts' computer types), so whoever
 * applies a file sees what it will add to the logs.
 */
import { cmdArg, cmdFile, cmdText, ps1File, regComment, regFile, regString, terminalLine, textFile } from '../escape.js';
import { splitRequirement, type Catalog } from '../catalog/catalog.js';
import type { HostEnvironment } from '../environment/model.js';
import type { CheckResult } from '../result/result.js';
import type { LoadedRule } from '../rules/model.js';
import { saclScripts, type HostRuleVerdicts } from './sacl-hosts.js';
import type { SaclTargets } from './sacl-script.js';
import type { VolumeBudget } from '../assess/recommend.js';
import { compareRequirements } from '../requirements/describe.js';
import { volumeLookup, volumeText } from '../assess/volume.js';
import { logSizeFix } from './logsize-fix.js';
import { addsLine, highVolume, leftOutLine, securityLogFacts, settingName } from './fix-budget.js';
import { intuneCsv, intuneReadme, intuneRows, type AuditValue } from './intune.js';
import { managementOf } from '../environment/management.js';
import type { Observations } from '../observe/model.js';
import { append } from '../lines.js';
import { MeasuredIndex, measuredText } from '../assess/measured-cost.js';
import { hostLogSizes, retention, settingFixes } from '../assess/retention.js';

export interface RemediationFile {
  name: string;
  /** Windows tools expect CRLF; regedit reads UTF-16 LE with a BOM best. */
  content: Buffer;
  /** How many settings it carries. */
  settings: number;
}

export interface Remediation {
  files: RemediationFile[];
  /** What no file carries, and why a file was not written. */
  notes: string[];
  /** For the console (and README.txt): what the budget left out, the Security log per host. */
  summary: string[];
  /** High-volume settings meeting a Security log below the recommended size (or of unknown size). */
  warnings: string[];
  /** What the files set, for the projection (projection.ts applies exactly this to each host). */
  applied: AppliedSettings;
  /** README.txt's lines (fix puts the plans before them). */
  readme: string[];
}

export interface AppliedSettings {
  /** Audit outcomes enable-audit.cmd / audit.csv turn on, by subcategory GUID. */
  audit: Map<string, { success: boolean; failure: boolean }>;
  /** Policies logging-policies.reg sets. */
  policies: string[];
  /** Channels enable-channels.cmd enables (a name a .cmd cannot carry is left out, as in the file). */
  channels: string[];
  /** The SACL entries of each set-audit-sacls script and the hosts it is for. */
  sacl: { hosts: string[]; targets: SaclTargets }[];
}

/** The settings to write: every requirement of a ranked fix that is not already on. */
export function missingRequirements(result: CheckResult): string[] {
  const ids = new Set<string>();
  for (const rec of result.readiness?.recommendations ?? []) for (const q of rec.requires) if (q.state !== 'on') ids.add(q.id);
  return [...ids].sort(compareRequirements);
}

const ADVANCED_AUDIT_GPO = 'Computer Configuration\\Policies\\Windows Settings\\Security Settings\\Advanced Audit Policy Configuration';

export interface RemediationOptions {
  /** Evidence that tells the Security log's time span (it changes no verdict and no file). */
  observed?: Observations;
  /** Each host's verdicts per rule (the run's assessment); without it set-audit-sacls assesses the hosts itself. */
  perHost?: HostRuleVerdicts[];
  /** The settings to write (fix's built-in plan); default: every missing requirement of the ranked fixes. */
  ids?: string[];
  /** false: README.txt is left to the caller (fix writes one for both plans). */
  readme?: boolean;
  /** What the budget left out of these settings' own ranking (fix's built-in plan); default: the result's. */
  budget?: VolumeBudget;
}

export function buildRemediation(
  result: CheckResult,
  catalog: Catalog,
  hosts: HostEnvironment[] = [],
  rules: LoadedRule[] = [],
  { observed, perHost, ids: given, readme: withReadme = true, budget }: RemediationOptions = {},
): Remediation {
  const ids = given ? [...given].sort(compareRequirements) : missingRequirements(result);
  const applied: AppliedSettings = { audit: new Map(), policies: [], channels: [], sacl: [] };
  const files: RemediationFile[] = [];
  const notes: string[] = [];
  const volumeOf = volumeLookup(
    catalog,
    hosts.map((h) => h.role?.kind),
  );
  const sizes = logSizeFix(result, catalog, hosts);
  const nameOf = (id: string) => settingName(id, catalog);
  // One id per subcategory for its volume (the rating does not depend on the outcome).
  const auditIds = [...new Set(ids.filter((id) => id.startsWith('audit:')).map((id) => id.replace(/:(success|failure)$/, ':success')))];
  // Audit subcategories write into the Security log; policies and channels into their own logs.
  const high = highVolume(auditIds, volumeOf);
  // Evidence measures each setting's events/day and bytes/day (where it is on) and how long each log holds.
  const measured = observed ? new MeasuredIndex(observed, catalog) : undefined;
  const measuredLine = (settingIds: string[]) => (measured ? measuredText(measured.measure(settingIds)) : undefined);
  // .cmd files are ASCII (cmdText turns the rest into "?"): "about" is "~" there.
  const ascii = (m: string) => m.replace(/≈/g, '~');
  const kept = measured ? retention(measured, hosts.map(hostLogSizes), settingFixes(ids), 'setting') : [];
  const log = securityLogFacts(
    hosts,
    catalog,
    high,
    nameOf,
    observed,
    (name) => kept.find((r) => r.log === 'Security' && r.host === name && (r.now || r.after))?.text,
  );
  // A plan's own budget: its left-out settings are the only way within that plan (fix's built-in plan).
  const leftOut = budget
    ? leftOutLine({ volumeBudget: budget }, catalog, volumeOf, hosts.length, 'built-in way')
    : leftOutLine(result.readiness, catalog, volumeOf, hosts.length);
  const summary = [...(leftOut ? [leftOut] : []), ...log.lines, ...kept.filter((r) => r.log !== 'Security').map((r) => `${r.log} log: ${r.text}`)];
  append(
    log.warnings,
    kept.flatMap((r) => (r.warning ? [r.warning] : [])),
  );
  const intune: { file: string; host: { name: string; source: string }; rows: ReturnType<typeof intuneRows> }[] = [];

  const need = new Map<string, { success: boolean; failure: boolean }>();
  for (const id of ids) {
    const [kind, rest] = splitRequirement(id);
    if (kind !== 'audit') continue;
    const [guid = '', outcome] = rest.split(':');
    const cur = need.get(guid) ?? { success: false, failure: false };
    if (outcome === 'success') cur.success = true;
    else cur.failure = true;
    need.set(guid, cur);
  }
  const gpos = [...new Set(hosts.flatMap((h) => h.auditOrigin?.gpos ?? []))];
  if (need.size) {
    const cmd = [
      '@echo off',
      'rem Generated by logsource-check: enables the audit subcategories the rule set needs.',
      'rem auditpol /set only turns on what is named here; nothing is disabled.',
    ];
    cmd.push(`rem ${cmdText(addsLine(auditIds, volumeOf, nameOf))}`, ...(leftOut ? [`rem ${cmdText(leftOut)}`] : []));
    for (const w of log.warnings) cmd.push(`rem WARNING: ${cmdText(w)}`, `echo WARNING: ${cmdText(w)}`);
    if (gpos.length) {
      // Local policy only (no domain GPO): there is no GPO to import into; the MDM rows or local policy carry it.
      const noDomain = hosts.length > 0 && hosts.every((h) => managementOf(h).kind === 'workgroup');
      const warn = `Group Policy defines this host's audit policy (GPO ${gpos.join(', ')}): the next policy refresh reverts local auditpol changes. ${noDomain ? 'Set it where that policy comes from: the local policy (gpedit.msc) or, with MDM, intune-audit-policy.csv (see README.txt).' : 'Import audit.csv into that GPO instead (see README.txt).'}`;
      cmd.push(`rem WARNING: ${cmdText(warn)}`, `echo WARNING: ${cmdText(warn)}`);
    }
    for (const [guid, n] of need) applied.audit.set(guid, n);
    for (const [guid, n] of [...need].sort()) {
      const flags = [n.success ? '/success:enable' : '', n.failure ? '/failure:enable' : ''].filter(Boolean).join(' ');
      const m = measuredLine(ids.filter((id) => id.startsWith(`audit:${guid}:`)));
      cmd.push(
        `rem ${cmdText(`${catalog.subcategory(guid)?.name ?? guid}: ${volumeText(volumeOf(`audit:${guid}:success`))}`)}`,
        ...(m ? [`rem   ${cmdText(ascii(m))}`] : []),
        `auditpol /set /subcategory:${guid} ${flags}`,
      );
    }
    files.push({ name: 'enable-audit.cmd', content: crlf(cmd), settings: need.size });

    for (const host of hosts) {
      const csv = completeAuditCsv(host, need, catalog);
      const name = hosts.length === 1 ? 'audit.csv' : `audit-${safeName(host.name)}.csv`;
      if ('unknown' in csv) {
        notes.push(
          `${name} not written: the current setting of ${csv.unknown.length} subcategories (${csv.unknown.slice(0, 3).join(', ')}${csv.unknown.length > 3 ? ', …' : ''}) is not known for ${host.name}, and a GPO's advanced audit policy turns every subcategory it omits off. Give this host's "auditpol /get /category:* /r" output (--auditpol) to get a complete audit.csv; enable-audit.cmd is safe as it is.`,
        );
        continue;
      }
      files.push({ name, content: crlf(csv.lines), settings: csv.lines.length - 1 });
      // No domain GPO to import audit.csv into (or not known): the same policy as Audit Policy CSP rows for MDM.
      const m = managementOf(host);
      if (m.kind !== 'domain-gpo') {
        const rows = intuneRows(csv.values);
        const file = hosts.length === 1 ? 'intune-audit-policy.csv' : `intune-audit-policy-${safeName(host.name)}.csv`;
        files.push({ name: file, content: crlf(intuneCsv(rows)), settings: rows.length });
        intune.push({
          file,
          host: { name: host.name, source: m.kind === 'workgroup' ? m.source : 'how it is managed is not known: gpresult or systeminfo would tell' },
          rows,
        });
      }
    }
    if (hosts.some((h) => h.auditOrigin?.legacy.length || h.auditOrigin?.force === false)) {
      const reg = [
        'Windows Registry Editor Version 5.00',
        '',
        '; Generated by logsource-check. Security Options\\"Audit: Force audit policy subcategory settings (Windows Vista or later)',
        '; to override audit policy category settings" = Enabled. Legacy audit categories are in force on this host today: without this',
        '; setting the advanced settings of audit.csv would not apply to the categories a legacy setting configures.',
        '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa]',
        '"SCENoApplyLegacyAuditPolicy"=dword:00000001',
      ];
      files.push({ name: 'audit-force-subcategories.reg', content: utf16(reg), settings: 1 });
    }
  }

  const all = ids.filter((id) => id.startsWith('policy:')).map((id) => catalog.policy(splitRequirement(id)[1]));
  // A setting outside Group Policy (the CA's audit filter) has no fixed registry path: told as a step, not written.
  for (const p of all)
    if (p?.outsideGroupPolicy)
      notes.push(`${p.name}: not written into logging-policies.reg (not a Group Policy setting); on the host: ${p.outsideGroupPolicy.set}`);
  const policies = all.filter((p) => !p?.outsideGroupPolicy);
  if (policies.length || sizes.regSettings) {
    const reg = ['Windows Registry Editor Version 5.00', '', '; Generated by logsource-check: logging policies the rule set needs.'];
    const policyIds = ids.filter((id) => id.startsWith('policy:') && !catalog.policy(splitRequirement(id)[1])?.outsideGroupPolicy);
    if (policyIds.length) reg.push(`; ${regComment(addsLine(policyIds, volumeOf, nameOf))}`);
    let count = sizes.regSettings;
    for (const p of policies) {
      if (!p) continue;
      count++;
      applied.policies.push(p.id);
      const m = measuredLine([`policy:${p.id}`]);
      reg.push(
        '',
        `; ${regComment(`${p.name} (${p.gpoPath})`)}`,
        `; ${regComment(volumeText(volumeOf(`policy:${p.id}`)))}`,
        ...(m ? [`; ${regComment(m)}`] : []),
      );
      const byKey = new Map<string, string[]>();
      for (const r of p.registry) {
        const lines = byKey.get(r.key) ?? [];
        lines.push(regValue(r.value, r.type, r.data));
        byKey.set(r.key, lines);
      }
      for (const [key, lines] of byKey) reg.push(`[${key.replace(/^HKLM\\/i, 'HKEY_LOCAL_MACHINE\\')}]`, ...lines);
    }
    append(reg, sizes.regLines);
    files.push({ name: 'logging-policies.reg', content: utf16(reg), settings: count });
  }

  const channels = ids.filter((id) => id.startsWith('channel:')).map((id) => splitRequirement(id)[1]);
  if (channels.length || sizes.cmdSettings) {
    const cmd = [
      '@echo off',
      'rem Generated by logsource-check: enables event channels that are off by default and raises logs capped below the recommended size.',
    ];
    if (channels.length)
      cmd.push(
        `rem ${cmdText(
          addsLine(
            channels.map((c) => `channel:${c}`),
            volumeOf,
            nameOf,
          ),
        )}`,
      );
    append(cmd, sizes.cmdHeader);
    for (const c of channels) {
      const arg = cmdArg(c);
      const m = measuredLine([`channel:${c}`]);
      cmd.push(
        `rem ${cmdText(`${c}: ${volumeText(volumeOf(`channel:${c}`))}`)}`,
        ...(m ? [`rem   ${cmdText(ascii(m))}`] : []),
        arg === undefined
          ? `rem ${cmdText('left out: this channel name cannot be written exactly in a .cmd file (see the note)')}`
          : `wevtutil sl "${arg}" /e:true`,
      );
      if (arg !== undefined) applied.channels.push(c);
      if (arg === undefined)
        notes.push(
          `enable-channels.cmd leaves out channel ${JSON.stringify(c)}: a .cmd file is ASCII and its name holds a character cmd.exe would read differently or expand (non-ASCII, " % ! ^ & | < >); enable it by hand: wevtutil sl "<channel>" /e:true, or in Event Viewer.`,
        );
    }
    append(cmd, sizes.cmdLines);
    files.push({ name: 'enable-channels.cmd', content: crlf(cmd), settings: channels.filter((c) => cmdArg(c) !== undefined).length + sizes.cmdSettings });
  }

  append(notes, sizes.notes);

  const sacls = ids.filter((id) => id.startsWith('sacl:'));
  if (sacls.length) {
    // One script per host role / rule set (sacl-hosts.ts); its count is the entries it writes.
    const sacl = saclScripts(result, catalog, hosts, rules, sacls, perHost);
    for (const f of sacl.files) files.push({ name: f.name, content: ps1File(f.script), settings: f.settings });
    for (const f of sacl.files) if (!applied.sacl.some((x) => x.targets === f.targets)) applied.sacl.push({ hosts: f.hosts, targets: f.targets });
    notes.push(...sacl.notes);
  }

  const sysmon = ids.filter((id) => id.startsWith('sysmon:'));
  if (sysmon.length) {
    const types = sysmon.map((id) => `${id.slice(7)} (${volumeOf(id).class ?? 'volume unrated'})`);
    notes.push(
      `Sysmon must log event types ${types.join(', ')}: no file here carries a Sysmon configuration: logsource-check sysmon-config writes one, or merges into yours with --base.`,
    );
  }
  const forward = ids.filter((id) => id.startsWith('forward:')).map((id) => splitRequirement(id)[1]);
  if (forward.length) {
    notes.push(
      `the collectors must forward more of ${forward.join(', ')}: logsource-check collector-config writes a WEF, NXLog, Winlogbeat or QueryList configuration for the rule set.`,
    );
  }
  const text = readme(
    files.map((f) => f.name),
    gpos,
    { hosts, summary, warnings: log.warnings, intune, policyNotes: sizes.policyNotes },
  );
  if (files.length && withReadme) files.push({ name: 'README.txt', content: textFile(text), settings: 0 });
  return { files, notes, summary, warnings: log.warnings, applied, readme: text };
}

/**
 * Current effective policy ∪ what is needed, every subcategory (as audit.csv lines and as values, which the
 * Intune rows are made from); or the subcategories whose state is unknown.
 */
export function completeAuditCsv(
  host: HostEnvironment,
  need: Map<string, { success: boolean; failure: boolean }>,
  catalog: Catalog,
): { lines: string[]; values: AuditValue[] } | { unknown: string[] } {
  const unknown: string[] = [];
  const values: AuditValue[] = [];
  const lines = ['Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value'];
  for (const sub of catalog.subcategories) {
    const cur = host.audit.get(sub.guid);
    const n = need.get(sub.guid);
    if (!host.covers.audit || cur?.success === undefined || cur.failure === undefined) {
      // A subcategory the change turns fully on needs no current value.
      if (!(n?.success && n.failure)) unknown.push(sub.name);
    }
    const value = (cur?.success || n?.success ? 1 : 0) | (cur?.failure || n?.failure ? 2 : 0);
    if (!value) continue;
    const inclusion = ['No Auditing', 'Success', 'Failure', 'Success and Failure'][value] as string;
    lines.push(`,System,${sub.name},${sub.guid.toLowerCase()},${inclusion},,${value}`);
    values.push({ sub, value });
  }
  return unknown.length ? { unknown } : { lines, values };
}

interface ReadmeFacts {
  hosts: HostEnvironment[];
  /** What the budget left out; the Security log per host. */
  summary: string[];
  warnings: string[];
  intune: { file: string; host: { name: string; source: string }; rows: ReturnType<typeof intuneRows> }[];
  /** Logs whose size a policy sets (enable-channels.cmd cannot keep a change there). */
  policyNotes: string[];
}

function readme(names: string[], gpos: string[], f: ReadmeFacts): string[] {
  const out = ['logsource-check remediation files. Each one only adds logging; none turns anything off.', ''];
  const has = (n: string) => names.some((x) => x === n || (n === 'audit.csv' && /^audit(-.+)?\.csv$/.test(x)));
  // GPO steps only where a host may have a domain GPO; hosts without one get the MDM (Intune) steps instead.
  const gpoHosts = f.hosts.length === 0 || f.hosts.some((h) => managementOf(h).kind !== 'workgroup');
  const line = (s: string) => terminalLine(s);
  for (const w of f.warnings) out.push(line(`WARNING: ${w}`));
  if (f.warnings.length) out.push('');
  if (has('enable-audit.cmd')) {
    out.push('enable-audit.cmd  - run as administrator on the host: auditpol /set for each missing subcategory.');
    if (gpos.length) out.push(line(`                    Group Policy defines audit policy here (${gpos.join(', ')}): a policy refresh reverts local changes.`));
  }
  if (has('audit.csv') && gpoHosts) {
    out.push(
      'audit.csv         - the complete advanced audit policy this host needs: what it audits today plus what is missing.',
      `                    Import it into the GPO that sets audit policy: Group Policy Management Editor > ${ADVANCED_AUDIT_GPO}`,
      '                    > right-click > Import Settings (or copy it to \\\\<domain>\\SYSVOL\\<domain>\\Policies\\{GPO GUID}\\Machine\\Microsoft\\Windows NT\\Audit\\audit.csv).',
      '                    A GPO with advanced audit policy replaces the whole policy: subcategories it does not name become No Auditing.',
      '                    That is why this file names every subcategory that is on today. Do not trim it.',
    );
  } else if (has('audit.csv')) {
    out.push(
      'audit.csv         - the complete advanced audit policy this host needs (what it audits today plus what is missing), the',
      '                    source of the MDM rows below; no domain GPO manages this host, so there is no GPO to import it into.',
    );
  }
  for (const i of f.intune) out.push(...intuneReadme(i.file, [i.host], i.rows).map(line));
  if (has('audit-force-subcategories.reg')) {
    out.push(
      'audit-force-subcategories.reg - legacy audit categories are in force today. Enable "Audit: Force audit policy subcategory',
      '                    settings ... to override audit policy category settings" (this .reg, or Security Options in the same GPO)',
      '                    together with audit.csv, which already carries what the legacy categories give today.',
    );
  }
  if (has('logging-policies.reg'))
    out.push(
      `logging-policies.reg - administrative-template policies (PowerShell logging, command line in 4688, event log sizes); regedit /s or the same settings in ${gpoHosts ? 'a GPO' : 'an MDM profile'}.`,
    );
  if (has('enable-channels.cmd'))
    out.push(
      'enable-channels.cmd - wevtutil sl <channel> /e:true for channels that are off by default; wevtutil sl <log> /ms:<bytes> for logs capped below the recommended size (never lowers one).',
    );
  for (const n of f.policyNotes) out.push(line(`                    ${n}`));
  out.push(
    '',
    'Comments in each file give the event volume of every setting (catalog rating: Microsoft\'s "Event volume" or a reported source), so you know what it adds to the logs.',
  );
  if (names.some((n) => /^set-audit-sacls(-.+)?\.ps1$/.test(n)))
    out.push(
      "set-audit-sacls*.ps1 - adds audit SACL entries to the registry keys and folders the rules watch (needed for 4656/4657/4663); one per host when the hosts' rules differ.",
    );
  if (f.summary.length) out.push('', 'Event volume and the Security log:', ...f.summary.map((s) => line(`  ${s}`)));
  return out;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'host';
}

function regValue(name: string, type: string, data: string | number): string {
  const quoted = `"${regString(name)}"`;
  if (type === 'REG_DWORD') return `${quoted}=dword:${Number(data).toString(16).padStart(8, '0')}`;
  return `${quoted}="${regString(String(data))}"`;
}

/** .cmd and audit.csv: CRLF, ASCII only (cmd.exe reads the OEM code page; encode.ts). */
function crlf(lines: string[]): Buffer {
  return cmdFile(lines);
}

/** .reg: UTF-16 LE with a BOM, as regedit writes it (encode.ts). */
function utf16(lines: string[]): Buffer {
  return regFile(lines);
}
