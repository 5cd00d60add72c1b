// Types of docs/examples.mjs for the docs-examples test (the script itself is plain ESM, run by npm run docs:examples).
export interface ExampleOptions {
  lines: number | undefined;
  tail: number | undefined;
  from: string | undefined;
  until: string | undefined;
  cut: number | undefined;
  columns: number;
  none: boolean;
  /** The output is Markdown, written after the block up to `<!-- /example -->`. */
  raw: boolean;
}
export interface Example {
  id: string;
  file: string;
  line: number;
  bodyStart: number;
  bodyEnd: number;
  commands: string[];
  options: ExampleOptions;
  /** The block body as the doc has it now. */
  current: string;
}
export const ROOT: string;
export const CLI: string;
export const SHARED: string;
export function docFiles(root?: string): string[];
export function parseExamples(text: string, file: string): Example[];
export function collectExamples(root?: string): Example[];
export function commandArgs(command: string): string[];
export function needsCorpus(example: Example): boolean;
export function excerpt(output: string, options: ExampleOptions, status: number | null): string[];
export function render(example: Example, env?: Record<string, string>): Promise<string>;
export function staleBuild(): string | undefined;
