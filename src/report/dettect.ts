/**
 * `check --format dettect`: DeTT&CT's data-source administration YAML (file_type data-source-administration,
 * version 1.1; keys as DeTT&CT's health check reads them: github.com/rabobank-cdc/DeTTECT health.py, commit
 * 7a0ac59). One data source per ATT&CK data component the rules read; the scores come from src/assess/dettect.ts.
 */
import type { DettectAssessment, DettectDimension } from '../assess/dettect.js';
import { terminal } from '../escape.js';
import { lazy } from '../lazy.js';
import type { CheckResult } from '../result/result.js';

const yaml = lazy<typeof import('yaml')>('yaml');
export const DETTECT_SYSTEM = 'Windows hosts assessed by logsource-check';

export function renderDettect(result: CheckResult, d: DettectAssessment): string {
  const dim = (x: DettectDimension) => x.score;
  const why = (label: string, x: DettectDimension) => `${label} ${x.score}${x.percent !== null ? ` (${x.percent}%)` : ''}: ${x.basis}`;
  const doc = {
    version: 1.1,
    file_type: 'data-source-administration',
    name: clean(`logsource-check ${result.tool.version}: ${d.hosts} host(s), ${result.summary.windowsRules} Windows rules`),
    domain: 'enterprise-attack',
    systems: [{ applicable_to: DETTECT_SYSTEM, platform: ['Windows'] }],
    data_sources: d.components.map((c) => ({
      data_source_name: c.name,
      data_source: [
        {
          applicable_to: [DETTECT_SYSTEM],
          date_registered: null,
          date_connected: null,
          products: c.products.map(clean),
          available_for_data_analytics: c.availableForAnalytics,
          comment: clean(
            [
              `${c.rules} rule(s)`,
              why('device_completeness', c.deviceCompleteness),
              why('data_field_completeness', c.dataFieldCompleteness),
              why('timeliness', c.timeliness),
              why('consistency', c.consistency),
              why('retention', c.retention),
            ].join('; '),
          ),
          data_quality: {
            device_completeness: dim(c.deviceCompleteness),
            data_field_completeness: dim(c.dataFieldCompleteness),
            timeliness: dim(c.timeliness),
            consistency: dim(c.consistency),
            retention: dim(c.retention),
          },
        },
      ],
    })),
  };
  return yaml().stringify(doc, { lineWidth: 0 });
}

/** Free text in YAML strings: no control or bidi characters (the yaml library quotes the rest). */
function clean(s: string): string {
  return terminal(s);
}
