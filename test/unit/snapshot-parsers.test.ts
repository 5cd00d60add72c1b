import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/io/decode.js';
import { parseRegFile, policyValue, regValue } from '../../src/environment/regfile.js';
import { parseResourceSacl } from '../../src/environment/resource-sacl.js';
import { parseScOutput, parseSysmonDashC } from '../../src/environment/services.js';
import { parseSysteminfoCsv } from '../../src/environment/systeminfo.js';
import { parseListLogCsv, parseWevtutilGl } from '../../src/environment/wevtutil.js';

const raw = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/snapshot/${p}`, import.meta.url)));
const read = (p: string) => decodeText(raw(p));
const PS = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell';

describe('parseRegFile', () => {
  const file = raw('WS-0142/policies.reg');
  const reg = parseRegFile(decodeText(file));

  it('reads the UTF-16 LE export (BOM) decoded by decodeText', () => {
    expect([file[0], file[1]]).toEqual([0xff, 0xfe]);
    expect(reg.version).toBe(5);
    expect(reg.notes).toEqual([]);
  });

  it('PowerShell logging, event log and forwarding policies', () => {
    expect(policyValue(reg, `${PS}\\ScriptBlockLogging`, 'EnableScriptBlockLogging')).toBe(1);
    expect(policyValue(reg, `${PS}\\ScriptBlockLogging`, 'enablescriptblockinvocationlogging')).toBe(0);
    expect(policyValue(reg, `${PS}\\ModuleLogging`, 'EnableModuleLogging')).toBe(1);
    expect(policyValue(reg, `${PS}\\ModuleLogging\\ModuleNames`, '*')).toBe('*');
    expect(policyValue(reg, `${PS}\\Transcription`, 'OutputDirectory')).toBe('\\\\fs01.corp.contoso.com\\Transcripts$');
    // Keys may be given in the long form, with PowerShell's drive colon, or in any case.
    expect(policyValue(reg, 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\Windows\\EventLog\\Security', 'MaxSize')).toBe(204800);
    expect(policyValue(reg, 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Security', 'Retention')).toBe('0');
    expect(policyValue(reg, 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\EventForwarding\\SubscriptionManager', '1')).toBe(
      'Server=http://wec01.corp.contoso.com:5985/wsman/SubscriptionManager/WEC,Refresh=60',
    );
    expect(reg.keys.has('HKLM\\SOFTWARE\\POLICIES\\MICROSOFT\\WINDOWS DEFENDER\\POLICY MANAGER')).toBe(true);
  });

  it('every value type, including hex data wrapped over continuation lines', () => {
    const k = 'HKLM\\SOFTWARE\\Policies\\Contoso\\LogCollector';
    expect(regValue(reg, k, 'Channels')).toEqual({
      name: 'Channels',
      type: 'REG_MULTI_SZ',
      data: [
        'Security',
        'System',
        'Microsoft-Windows-PowerShell/Operational',
        'Microsoft-Windows-Sysmon/Operational',
        'Microsoft-Windows-TaskScheduler/Operational',
      ],
    });
    expect(regValue(reg, k, 'SpoolBytes')).toEqual({ name: 'SpoolBytes', type: 'REG_QWORD', data: 8589934592 });
    const bin = regValue(reg, k, 'ConfigFingerprint')!;
    expect(bin.type).toBe('REG_BINARY');
    expect(Buffer.from(bin.data as Uint8Array).toString('hex')).toBe('3fa9c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4');
    expect(regValue(reg, k, 'StatePath')).toMatchObject({ type: 'REG_EXPAND_SZ', data: '%ProgramData%\\Contoso\\LogCollector\\state' });
    expect(regValue(reg, k, 'Marker')).toMatchObject({ type: 'REG_NONE' });
    expect((regValue(reg, k, 'Marker')!.data as Uint8Array).length).toBe(0);
    expect(regValue(reg, k, 'BatchSize')).toMatchObject({ type: 'REG_DWORD', data: 256 });
    expect(policyValue(reg, k, 'Description')).toBe('Contoso "SOC" collector: C:\\Program Files\\Contoso');
    expect(regValue(reg, k, '')).toEqual({ name: '', type: 'REG_SZ', data: 'managed by Intune' });
    expect(policyValue(reg, 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\EventLog\\Application', 'File')).toBe(
      '%SystemRoot%\\System32\\winevt\\Logs\\Application.evtx',
    );
  });

  it('policies-system.reg: process creation command line', () => {
    const sys = parseRegFile(read('WS-0142/policies-system.reg'));
    expect(policyValue(sys, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit', 'ProcessCreationIncludeCmdLine_Enabled')).toBe(1);
    expect(regValue(sys, 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\UIPI', '')).toMatchObject({ data: '' });
    expect(sys.notes).toEqual([]);
  });

  it('REGEDIT4, deletions, comments, LF line ends and bad lines (notes with line numbers, no throw)', () => {
    const e = parseRegFile(read('formats/edge-cases.reg'));
    expect(e.version).toBe(4);
    const app = 'HKLM\\SOFTWARE\\Policies\\Contoso\\App';
    expect(regValue(e, app, 'Removed')).toEqual({ name: 'Removed', type: 'REG_NONE', data: null });
    expect(policyValue(e, app, 'Removed')).toBeUndefined();
    expect(regValue(e, app, '')!.data).toBeNull();
    // REGEDIT4 stores hex(2)/hex(7) strings as single bytes.
    expect(policyValue(e, app, 'List')).toEqual(['alpha', 'beta']);
    expect(policyValue(e, app, 'Path')).toBe('%WINDIR%\\app');
    expect(policyValue(e, app, 'Empty')).toEqual([]);
    expect(regValue(e, app, 'ShortDword')).toMatchObject({ type: 'REG_DWORD' });
    expect(regValue(e, app, 'ShortDword')!.data).toBeInstanceOf(Uint8Array);
    expect(policyValue(e, app, 'Big')).toBe(Number(0x7fffffffffffffffn));
    expect(regValue(e, app, 'Odd')!.type).toBe('REG_RESOURCE_LIST');
    // [-KEY] removes the key and its subkeys set earlier in the file.
    expect(e.deletedKeys.has('HKLM\\SOFTWARE\\POLICIES\\CONTOSO\\OLD')).toBe(true);
    expect(e.keys.has('HKLM\\SOFTWARE\\POLICIES\\CONTOSO\\OLD')).toBe(false);
    expect(e.keys.has('HKLM\\SOFTWARE\\POLICIES\\CONTOSO\\OLD\\SUB')).toBe(false);
    expect(e.notes.join('\n')).toMatch(/line 18: not a key, value or comment/);
    expect(e.notes.join('\n')).toMatch(/line 19: no "=" after the value name "NoEquals"/);
    expect(e.notes.join('\n')).toMatch(/line 20: hex data of "BadHex" is malformed/);
    expect(e.notes.join('\n')).toMatch(/line 21: "ShortDword" is REG_DWORD but holds 2 bytes/);
    expect(e.notes.join('\n')).toMatch(/line 22: .*larger than a JavaScript number/);
    expect(e.notes.join('\n')).toMatch(/line 24: value name has no closing quote/);
    expect(e.notes.join('\n')).toMatch(/line 25: key line without closing "\]"/);
    expect(e.notes.join('\n')).toMatch(/line 26: value outside a \[key\] section/);
  });

  it('throws only when the header is missing', () => {
    expect(() => parseRegFile('[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"a"="b"\r\n')).toThrow('not a .reg export');
    expect(() => parseRegFile('\uFEFF\r\nWindows Registry Editor Version 5.00\r\n')).not.toThrow();
  });
});

describe('parseWevtutilGl', () => {
  it('Admin, Operational, Analytic and Debug channels and a failed one', () => {
    const { channels, notes } = parseWevtutilGl(read('WS-0142/wevtutil-gl.txt'));
    expect(notes).toEqual([]);
    expect(channels.size).toBe(10);
    expect(channels.get('security')).toEqual({
      name: 'Security',
      enabled: true,
      type: 'Admin',
      retention: false,
      autoBackup: false,
      maxSizeBytes: 209715200,
      logFileName: '%SystemRoot%\\System32\\Winevt\\Logs\\Security.evtx',
    });
    expect(channels.get('system')).toMatchObject({ type: 'Admin', maxSizeBytes: 33554432 });
    expect(channels.get('microsoft-windows-powershell/operational')).toMatchObject({
      enabled: true,
      type: 'Operational',
      owningPublisher: 'Microsoft-Windows-PowerShell',
      maxSizeBytes: 15728640,
    });
    expect(channels.get('microsoft-windows-taskscheduler/operational')).toMatchObject({ enabled: false, type: 'Operational' });
    expect(channels.get('microsoft-windows-kernel-file/analytic')).toMatchObject({ enabled: false, type: 'Analytic', retention: true, maxSizeBytes: 1048576 });
    expect(channels.get('microsoft-windows-winrm/debug')).toMatchObject({ enabled: false, type: 'Debug' });
    expect(channels.get('forwardedevents')).toMatchObject({ retention: true, autoBackup: true });
    expect(channels.get('microsoft-windows-time-service-ptp/operational')).toEqual({
      name: 'Microsoft-Windows-Time-Service-PTP/Operational',
      error: 'The specified channel could not be found.',
    });
  });

  it('an error on two lines (DC01: access denied)', () => {
    const { channels } = parseWevtutilGl(read('DC01/wevtutil-gl.txt'));
    expect(channels.get('microsoft-windows-security-netlogon/operational')).toEqual({
      name: 'Microsoft-Windows-Security-Netlogon/Operational',
      error: 'Access is denied.',
    });
    expect(channels.get('microsoft-windows-sysmon/operational')).toMatchObject({ enabled: true, maxSizeBytes: 67108864 });
    expect(channels.get('security')?.maxSizeBytes).toBe(1073741824);
  });

  it('truncated output: the cut line is dropped and the last channel is marked', () => {
    const { channels, notes } = parseWevtutilGl(read('formats/wevtutil-gl-truncated.txt'));
    expect(channels.get('application')).toMatchObject({ enabled: true, maxSizeBytes: 33554432 });
    expect(channels.get('application')?.truncated).toBeUndefined();
    const ps = channels.get('microsoft-windows-powershell/operational')!;
    expect(ps).toMatchObject({ enabled: true, truncated: true, autoBackup: false });
    expect(ps.maxSizeBytes).toBeUndefined(); // "maxSize: 157" was cut: not a size
    expect(notes.some((n) => /ends inside a line/.test(n))).toBe(true);
    // SRV-APP01: the run stopped after a whole line, inside System's "logging:" section.
    const srv = parseWevtutilGl(read('SRV-APP01/wevtutil-gl.txt'));
    expect(srv.channels.get('system')).toMatchObject({ enabled: true, retention: false, truncated: true });
    expect(srv.channels.get('security')?.truncated).toBeUndefined();
  });

  it('plain wevtutil output without the script headers', () => {
    const { channels, notes } = parseWevtutilGl(read('formats/wevtutil-gl-noheaders.txt'));
    expect([...channels.keys()]).toEqual(['security', 'microsoft-windows-taskscheduler/operational']);
    expect(notes).toEqual([]);
  });
});

describe('parseListLogCsv', () => {
  it('maps EventLogConfiguration columns to the same ChannelInfo', () => {
    const { channels, notes } = parseListLogCsv(read('formats/listlog.csv'));
    expect(notes).toEqual([]);
    expect(channels.get('security')).toEqual({
      name: 'Security',
      enabled: true,
      type: 'Admin',
      maxSizeBytes: 20971520,
      retention: true,
      autoBackup: false,
      logFileName: '%SystemRoot%\\System32\\Winevt\\Logs\\Security.evtx',
      isClassicLog: true,
    });
    expect(channels.get('application')).toMatchObject({ retention: false, autoBackup: false });
    expect(channels.get('forwardedevents')).toMatchObject({ retention: true, autoBackup: true, isClassicLog: false });
    expect(channels.get('microsoft-windows-taskscheduler/operational')).toMatchObject({ enabled: false, owningPublisher: 'Microsoft-Windows-TaskScheduler' });
    expect(channels.get('microsoft-windows-kernel-file/analytic')?.type).toBe('Analytic');
  });
  it('rejects another CSV', () => {
    expect(() => parseListLogCsv('"Name","Value"\r\n"a","b"\r\n')).toThrow('no LogName column');
  });
});

describe('parseScOutput', () => {
  it('DC01: Sysmon64 running, SysmonDrv boot driver, Sysmon (32-bit) absent', () => {
    const { services, notes } = parseScOutput(read('DC01/sysmon-service.txt'));
    expect(notes).toEqual([]);
    expect(services.get('sysmon64')).toEqual({
      name: 'Sysmon64',
      exists: true,
      state: 'RUNNING',
      type: 'WIN32_OWN_PROCESS',
      startType: 'AUTO_START',
      binaryPath: 'C:\\Windows\\Sysmon64.exe',
      displayName: 'Sysmon64',
    });
    expect(services.get('sysmondrv')).toMatchObject({
      exists: true,
      state: 'RUNNING',
      type: 'KERNEL_DRIVER',
      startType: 'BOOT_START',
      binaryPath: 'SysmonDrv.sys',
    });
    expect(services.get('sysmon')).toEqual({ name: 'Sysmon', exists: false });
  });

  it('WS-0142: no Sysmon service at all (error 1060)', () => {
    const { services } = parseScOutput(read('WS-0142/sysmon-service.txt'));
    expect([...services.values()]).toEqual([
      { name: 'Sysmon64', exists: false },
      { name: 'Sysmon', exists: false },
      { name: 'SysmonDrv', exists: false },
    ]);
  });

  it('stopped/disabled, delayed start, translated keys, unnamed failure, access denied', () => {
    const { services, notes } = parseScOutput(read('formats/sysmon-service-variants.txt'));
    expect(services.get('sysmon')).toMatchObject({ exists: true, state: 'STOPPED', startType: 'DISABLED' });
    expect(services.get('sysmon64')).toMatchObject({ exists: true, state: 'RUNNING', type: 'WIN32_OWN_PROCESS', startType: 'AUTO_START (DELAYED)' });
    expect(services.get('sysmon64')?.binaryPath).toBe('"C:\\Program Files\\Sysmon\\Sysmon64.exe"');
    // The headerless 1060 follows "==== sc qc Sysmon64": it must not turn an installed service into a missing one.
    expect(notes.join('\n')).toMatch(/Sysmon64 reported both as installed and as not installed/);
    expect(services.has('sysmondrv')).toBe(false);
    expect(notes.join('\n')).toMatch(/OpenService for SysmonDrv failed with error 5/);
  });
});

describe('parseSysmonDashC', () => {
  it('DC01: options and the rule dump, including a compound rule', () => {
    const s = parseSysmonDashC(read('DC01/sysmon.txt'));
    expect(s.notes).toEqual([]);
    expect(s).toMatchObject({
      version: '15.15',
      schemaVersion: '4.90',
      serviceName: 'Sysmon64',
      driverName: 'SysmonDrv',
      configFile: 'C:\\ProgramData\\Contoso\\Sysmon\\sysmonconfig-dc.xml',
      configHash: 'SHA256=9C2E5A41D07B8F3365E1A0C4B92D7F18E6A35B0C47D9126F8E03B5A7C1D42E96',
      hashAlgorithms: ['SHA1', 'MD5', 'SHA256', 'IMPHASH'],
    });
    expect(s.options['DNS lookup']).toBe('enabled');
    expect(s.options['Archive Directory']).toBe('-');
    const rules = s.rules!;
    expect(rules.map((r) => `${r.element}:${r.onmatch}`)).toEqual([
      'ProcessCreate:exclude',
      'FileCreateTime:include',
      'NetworkConnect:include',
      'ProcessTerminate:include',
      'DriverLoad:exclude',
      'ProcessAccess:include',
      'ProcessAccess:exclude',
      'FileCreate:include',
      'RegistryEvent:include',
      'DnsQuery:exclude',
    ]);
    expect(rules[0]!.combine).toBe('Or');
    expect(rules[0]!.conditions[2]).toEqual({ field: 'CommandLine', condition: 'begin with', value: 'C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured' });
    expect(rules[2]!.conditions[0]).toEqual({ field: 'Image', condition: 'image', value: 'powershell.exe' });
    expect(rules[3]!.conditions).toEqual([]); // include with no condition: nothing is logged
    expect(rules[4]!.conditions).toEqual([]);
    expect(rules[4]!.groups).toEqual([
      {
        name: '0001',
        combine: 'And',
        conditions: [
          { field: 'Signature', condition: 'contains', value: 'Microsoft' },
          { field: 'SignatureStatus', condition: 'is', value: 'Valid' },
        ],
      },
    ]);
    expect(rules[9]!.conditions.map((c) => c.value)).toEqual(['.corp.contoso.com', '.windowsupdate.com']);
  });

  it('tab-indented conditions and a value containing a quote', () => {
    const s = parseSysmonDashC(read('formats/sysmon-tabs.txt'));
    expect(s.schemaVersion).toBe('4.83');
    expect(s.configFile).toBe('.\\sysmonconfig.xml');
    expect(s.rules).toEqual([
      {
        element: 'ImageLoad',
        onmatch: 'include',
        combine: 'Or',
        conditions: [{ field: 'ImageLoaded', condition: 'end with', value: '\\samlib.dll' }],
        groups: [],
      },
      {
        element: 'PipeEvent',
        onmatch: 'include',
        combine: 'And',
        conditions: [{ field: 'PipeName', condition: 'contains', value: "it's a pipe" }],
        groups: [],
      },
    ]);
  });

  it('a rule line it does not understand: rules stay unknown', () => {
    const s = parseSysmonDashC(read('formats/sysmon-unknown-line.txt'));
    expect(s.rules).toBeUndefined();
    expect(s.notes.join('\n')).toMatch(/line 10: rule line not understood/);
  });

  it('no rules installed, and not elevated', () => {
    const none = parseSysmonDashC(read('formats/sysmon-norules.txt'));
    expect(none.rules).toEqual([]);
    expect(none.configFile).toBeUndefined();
    expect(none.notes.join('\n')).toMatch(/No rules installed/);
    const denied = parseSysmonDashC(read('formats/sysmon-not-elevated.txt'));
    expect(denied.rules).toBeUndefined();
    expect(denied.version).toBe('15.15');
    expect(denied.notes.join('\n')).toMatch(/launch Sysmon as an Administrator/);
  });
});

describe('parseSysteminfoCsv', () => {
  it('member workstation (UTF-8 with BOM, as the PowerShell script writes it)', () => {
    expect(parseSysteminfoCsv(read('WS-0142/systeminfo.csv'))).toEqual({
      computer: 'WS-0142',
      osName: 'Microsoft Windows 11 Enterprise',
      osVersion: '10.0.22631 N/A Build 22631',
      osConfiguration: 'Member Workstation',
      role: 'workstation',
      domain: 'corp.contoso.com',
      notes: [],
    });
  });
  it('domain controllers', () => {
    expect(parseSysteminfoCsv(read('DC01/systeminfo.csv'))).toMatchObject({
      computer: 'DC01',
      role: 'domain-controller',
      osName: 'Microsoft Windows Server 2022 Standard',
    });
    expect(parseSysteminfoCsv(read('formats/systeminfo-bdc.csv')).role).toBe('domain-controller');
  });
  it('German headers by position, also after an OEM code page round trip', () => {
    const srv = parseSysteminfoCsv(read('SRV-APP01/systeminfo.csv'));
    expect(srv).toMatchObject({
      computer: 'SRV-APP01',
      osVersion: '10.0.17763 Nicht zutreffend Build 17763',
      osConfiguration: 'Mitgliedsserver',
      role: 'member-server',
    });
    expect(srv.domain).toMatch(/^corp\.contoso\.com$/);
    expect(srv.notes.join('\n')).toMatch(/not English.*by position/);
    const de = parseSysteminfoCsv(read('formats/systeminfo-de-utf8.csv'));
    expect(de.role).toBe('standalone-workstation');
  });
  it('unknown layout: nothing guessed', () => {
    const u = parseSysteminfoCsv(read('formats/systeminfo-unknown.csv'));
    expect(u.computer).toBeUndefined();
    expect(u.notes[0]).toMatch(/unknown headers/);
  });
});

describe('parseResourceSacl', () => {
  it('WS-0142: a File global SACL and no Key SACL', () => {
    const r = parseResourceSacl(read('WS-0142/auditpol-resourcesacl.txt'));
    expect(r.notes).toEqual([]);
    expect(r.file).toEqual({
      present: true,
      entries: [
        { user: 'Everyone', flags: 'Success Failure', access: 'FILE_GENERIC_WRITE DELETE WRITE_DAC WRITE_OWNER' },
        { user: 'CONTOSO\\svc-backup', flags: 'Failure', condition: '(@USER.Department == "IT")', access: 'FILE_GENERIC_READ' },
      ],
    });
    expect(r.registry).toEqual({ present: false, entries: [], message: 'The command was successfully executed.' });
  });
  it('DC01: Key SACL only', () => {
    const r = parseResourceSacl(read('DC01/auditpol-resourcesacl.txt'));
    expect(r.file?.present).toBe(false);
    expect(r.registry?.entries).toEqual([{ user: 'Everyone', flags: 'Success', access: 'KEY_SET_VALUE DELETE' }]);
  });
  it('auditpol errors leave both unknown', () => {
    const r = parseResourceSacl(read('SRV-APP01/auditpol-resourcesacl.txt'));
    expect(r.file).toBeUndefined();
    expect(r.registry).toBeUndefined();
    expect(r.notes).toHaveLength(2);
  });
  it('without headers, the Resource Type tells the kind', () => {
    const r = parseResourceSacl(read('formats/resourcesacl-noheaders.txt'));
    expect(r.registry?.entries).toEqual([{ user: 'BUILTIN\\Administrators', flags: 'Success', access: 'KEY_SET_VALUE' }]);
    expect(r.file).toBeUndefined();
  });
});
