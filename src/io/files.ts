/**
 * What every input reader shares about files given on the command line: stating an argument (missing →
 * exit 2, unreadable → one error line) and a plain reason for an errno, so every reader says the same words.
 */
import { statSync, type Stats } from 'node:fs';

/**
 * A command-line path, stated: a path that does not exist goes to `missing` (the run ends with exit 2), one
 * that cannot be read is one error line; either way undefined, and the other arguments are still read.
 */
export function statArgument(arg: string, sink: { missing: string[]; errors: { path: string; message: string }[] }): Stats | undefined {
  try {
    return statSync(arg);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') sink.missing.push(arg);
    else sink.errors.push({ path: arg, message: `cannot access: ${errnoMessage(e)}` });
    return undefined;
  }
}

export function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    const reasons: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      ENOENT: 'no such file or directory',
      ELOOP: 'too many levels of symbolic links',
      EISDIR: 'is a directory',
      EMFILE: 'too many open files',
    };
    return reasons[err.code] ?? err.code;
  }
  return err instanceof Error ? err.message : String(e);
}
