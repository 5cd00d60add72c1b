/**
 * --changed-since REF and --files-from FILE: which rule files a pull request changed. Every rule is still read
 * (readiness and the ranked fixes count them all, for context); only the changed ones get SARIF results and are
 * gated. What "changed since REF" means (docs/ci.md): files added, copied, modified or renamed between the merge
 * base of REF and HEAD (`git diff REF...HEAD`), plus what the working tree changes on top of HEAD (staged,
 * unstaged, and untracked files not ignored), so a local run before committing sees the same files as CI.
 * Deleted files have no rule to report on and are left out.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeText } from '../io/decode.js';
import { LIMITS, readRegular } from '../limits.js';

/** A --changed-since / --files-from problem the user must fix: one line, exit 2. */
export class ChangedError extends Error {}

export interface ChangedFiles {
  /** Absolute, symlinks resolved where the file exists. */
  absolute: Set<string>;
  /** As git or the file listed them (for the report). */
  listed: string[];
}

/**
 * A ref as git takes it (origin/main, HEAD~3, a commit id), never an option: it is passed as an argument to git,
 * without a shell, and a leading "-" would make it one.
 */
export function checkRef(ref: string): void {
  if (!ref || ref.length > 256 || ref.startsWith('-') || /[\s\u0000-\u001f\u007f]/.test(ref) || ref.includes('..')) {
    throw new ChangedError(`--changed-since "${ref}" is not a git ref (a branch, tag or commit; not starting with "-", no spaces or "..")`);
  }
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: LIMITS.changedListBytes,
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Never prompt for credentials nor read a pager: a CI job must not hang.
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' },
  });
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** The git work trees holding the rule paths (a path that is a file: its folder). */
function repositories(paths: readonly string[]): string[] {
  const tops = new Set<string>();
  for (const p of paths) {
    let dir = resolve(p);
    try {
      if (!statSync(dir).isDirectory()) dir = dirname(dir);
    } catch {
      throw new ChangedError(`--changed-since: no such file or directory: ${p}`);
    }
    let top: string;
    try {
      top = git(dir, ['rev-parse', '--show-toplevel']).trim();
    } catch {
      throw new ChangedError(`--changed-since: ${p} is not in a git work tree`);
    }
    tops.add(real(top));
  }
  return [...tops];
}

const split = (out: string): string[] => out.split('\u0000').filter(Boolean);

export function changedSince(ref: string, paths: readonly string[]): ChangedFiles {
  checkRef(ref);
  const absolute = new Set<string>();
  const listed: string[] = [];
  for (const top of repositories(paths)) {
    try {
      git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    } catch {
      throw new ChangedError(
        `--changed-since: "${ref}" is no commit in ${top} (in CI, fetch it first: git fetch origin main, or actions/checkout with fetch-depth: 0)`,
      );
    }
    let names: string[];
    try {
      names = [
        ...split(git(top, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=ACMR', `${ref}...HEAD`, '--'])),
        ...split(git(top, ['diff', '--name-only', '-z', '--no-renames', '--diff-filter=ACMR', 'HEAD', '--'])),
        ...split(git(top, ['ls-files', '--others', '--exclude-standard', '-z'])),
      ];
    } catch (e) {
      const why =
        (e as { code?: string }).code === 'ENOBUFS'
          ? `more than ${LIMITS.changedListBytes} bytes of file names`
          : ((e as { stderr?: string }).stderr ?? (e as Error).message).split('\n')[0];
      throw new ChangedError(`--changed-since ${ref}: git failed in ${top}: ${why}`);
    }
    for (const n of names) {
      const abs = real(resolve(top, n));
      if (absolute.has(abs)) continue;
      absolute.add(abs);
      listed.push(n);
    }
    if (absolute.size > LIMITS.changedFiles) throw new ChangedError(`--changed-since ${ref}: more than ${LIMITS.changedFiles} changed files`);
  }
  return { absolute, listed: listed.sort() };
}

/** --files-from FILE: one path a line (relative to the current directory); blank lines and "#" comments skipped. */
export function filesFrom(file: string): ChangedFiles {
  let text: string;
  try {
    text = decodeText(readRegular(file, LIMITS.changedListBytes));
  } catch (e) {
    throw new ChangedError(`--files-from ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length > LIMITS.changedFiles) throw new ChangedError(`--files-from ${file}: more than ${LIMITS.changedFiles} paths`);
  const absolute = new Set(lines.map((l) => real(l)));
  return { absolute, listed: [...new Set(lines)].sort() };
}

/** Whether a rule's file (its path as the run gives it) is one of the changed files. */
export function isChanged(files: ChangedFiles, rulePath: string): boolean {
  return files.absolute.has(real(rulePath));
}
