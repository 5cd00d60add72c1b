/** The pipeline is one-way (rules → catalog → requirements → environment → assess → generate/report): no import cycle under src/. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { LAYERS, layerOf, layersMarkdown } from './architecture-layers.js';

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
  it('every module is in a layer and imports only the layers the table allows', () => {
    const src = join(ROOT, 'src');
    const unplaced: string[] = [];
    const wrong: string[] = [];
    for (const [f, deps] of graph()) {
      const from = layerOf(relative(src, f));
      if (!from) {
        unplaced.push(relative(src, f));
        continue;
      }
      for (const d of deps) {
        const to = layerOf(relative(src, d));
        if (to && to !== from && !LAYERS[from]!.mayImport.includes(to)) wrong.push(`${relative(src, f)} (${from}) → ${relative(src, d)} (${to})`);
      }
    }
    expect(unplaced, 'modules in no layer: add the folder or file to test/unit/architecture-layers.ts').toEqual([]);
    expect(wrong).toEqual([]);
  });
  it('docs/architecture.md shows the table the test enforces', () => {
    const path = join(ROOT, 'docs', 'architecture.md');
    const doc = readFileSync(path, 'utf8');
    const start = '<!-- layers: generated from test/unit/architecture-layers.ts -->';
    const end = '<!-- /layers -->';
    const table = `${start}\n${layersMarkdown()}\n${end}`;
    const cut = new RegExp(`${start.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[\\s\\S]*?${end}`);
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(path, doc.replace(cut, table));
    expect(readFileSync(path, 'utf8')).toContain(table);
  });
  it('the table names every folder of src/', () => {
    const folders = readdirSync(join(ROOT, 'src')).filter((f) => statSync(join(ROOT, 'src', f)).isDirectory());
    expect(folders.filter((f) => !layerOf(`${f}/x.ts`))).toEqual([]);
  });
});
