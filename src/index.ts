/**
 * The public library API of logsource-check (docs/api.md). One pipeline, as the CLI runs it: `runCheck` reads the
 * rules, resolves them through the catalog, reads the host inputs and returns one result object; the renderers
 * turn that object into the report formats; baselines compare a host model with a published policy. The engine
 * sets no process-wide state (V8 memory tuning is the CLI's: commands/memory.ts); the CLI (src/cli.ts) only wires options to these.
 */
export { runCheck, type CheckOptions, type CheckRun } from './check.js';
export { loadCatalog } from './catalog/load.js';
export type { Catalog } from './catalog/catalog.js';
export { loadEnvironment, type Environment, type EnvironmentInputs } from './environment/load.js';
export type { HostEnvironment, InputError } from './environment/model.js';
export type { CheckResult, HostRow, Readiness, RuleRow } from './result/result.js';
export type { MeasuredCost } from './assess/measured-cost.js';
export type { LogRetention } from './assess/retention.js';

export { renderTable } from './report/table.js';
export { renderFullTable } from './report/table-full.js';
export { renderJson } from './report/json.js';
export { renderMarkdown } from './report/markdown.js';
export { renderCsv } from './report/csv.js';
export { renderSarif } from './report/sarif.js';
export { renderHtml, type HtmlOptions } from './report/html.js';
export { renderNavigator } from './report/navigator.js';

export { loadBaselines, findBaseline, baselineFamily, familyMember, type Baseline } from './catalog/baselines.js';
export { loadBaselineFile, BaselineFileError } from './catalog/baseline-file.js';

export { diffRuns, isLoss, LOSSES } from './result/run-diff.js';
export type { RunDiff, RuleChange, HostDiff } from './result/diff-model.js';
export { readReport, ReportError } from './result/read-report.js';
export { renderDiff, type DiffFormat } from './report/diff.js';
export { changedSince, filesFrom, ChangedError, type ChangedFiles } from './rules/changed.js';
export { compareHost, type BaselineComparison } from './assess/baseline.js';
export { runBaseline, resolveBaseline, type BaselineRun, type BaselineRunOptions } from './baseline.js';

export { buildRemediation, type Remediation, type RemediationFile } from './generate/remediation.js';
export { collectScript, collectScriptFile } from './generate/collect-script.js';

// Typed errors the engine throws: a program tells bad input from a bug by their class.
export { CatalogError } from './catalog/validate.js';
export { LimitError } from './limits.js';
export { MappingError } from './catalog/mapping-read.js';
export { OptionError } from './rules/load.js';
export { SysmonConfigError } from './environment/sysmon.js';
export { UnusableInputError } from './check-usable.js';
export { VERSION } from './version.js';
