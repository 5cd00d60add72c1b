/** Exit codes as documented (README, --help): 0 done, 1 gate failed, 2 unusable invocation or input, 3 internal error. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from '../helpers.js';

describe('exit codes', () => {
  it('a bug of ours (a TypeError while writing the report) exits 3 with one "internal error" line, not 2', () => {
    // The wrapper breaks standard output's write, then runs the installed command unchanged: the error is
    // not one of the typed errors the CLI formats, so it is ours.
    const dir = mkdtempSync(join(tmpdir(), 'lsc-exit-'));
    const wrapper = join(dir, 'run.mjs');
    writeFileSync(
      wrapper,
      `process.stdout.write = () => { throw new TypeError('forced fault'); };\nprocess.argv.splice(1, 0, ${JSON.stringify(CLI)});\nawait import(${JSON.stringify(CLI)});\n`,
    );
    const r = spawnSync(process.execPath, [wrapper, 'examples/rules', '--no-cache'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toMatch(/^logsource-check: internal error: /m);
    expect(r.status).toBe(3);
  });
  it('a missing path is unusable input: exit 2', () => {
    const r = runCli(['no/such/rules/']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
