/** The pipeline is one-way (rules → catalog → requirements → environment → assess → generate/report): no import cycle under src/. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

function graph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, 'src'));
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps = [...readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => normalize(join(dirname(f), (m[1] as string).replace(/\.js$/, '.ts'))));
    g.set(normalize(f), deps);
  }
  return g;
}

describe('architecture', () => {
  it('no import cycle under src/ (type imports included)', () => {
    const g = graph();
    const cycles: string[] = [];
    const onStack = new Set<string>();
    const done = new Set<string>();
    const stack: string[] = [];
    const dfs = (n: string) => {
      stack.push(n);
      onStack.add(n);
      for (const d of g.get(n) ?? []) {
        if (onStack.has(d)) cycles.push([...stack.slice(stack.indexOf(d)), d].map((x) => x.slice(ROOT.length)).join(' → '));
        else if (!done.has(d)) dfs(d);
      }
      stack.pop();
      onStack.delete(n);
      done.add(n);
    };
    for (const n of g.keys()) if (!done.has(n)) dfs(n);
    expect(cycles).toEqual([]);
  });
  it('assessment never imports the report layer', () => {
    for (const [f, deps] of graph()) if (f.includes('/src/assess/')) for (const d of deps) expect(d, f).not.toMatch(/\/src\/report\//);
  });
});
