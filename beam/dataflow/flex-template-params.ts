/**
 * The Flex Template parameters of pmp-velib-curated, with the regexes Dataflow checks before it
 * starts the launcher. `beam/dataflow/metadata.json` must say exactly this (a test compares them), and the
 * launch entry (dataflow-main.ts) checks the same patterns again, because a template launched
 * with `gcloud dataflow flex-template run --parameters` is validated, but one started by hand is not.
 */
export const FLEX_TEMPLATE_PARAMETERS = [
  {
    name: 'input_subscription',
    label: 'Input Pub/Sub subscription',
    helpText:
      'Full name of the pull subscription to read envelopes from, e.g. projects/<project>/subscriptions/pmp-events-dataflow-sub.',
    regexes: [
      '^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/subscriptions/[A-Za-z][-A-Za-z0-9._~+%]{2,254}$',
    ],
  },
  {
    name: 'output_table',
    label: 'Curated BigQuery table',
    helpText:
      'Table for one row per station per snapshot, as project:dataset.table, e.g. <project>:pmp_curated.velib_station_status.',
    regexes: ['^[a-z][a-z0-9-]{4,28}[a-z0-9]:[A-Za-z0-9_]{1,1024}\\.[-A-Za-z0-9_ ]{1,1024}$'],
  },
  {
    name: 'dlq_table',
    label: 'DLQ BigQuery table',
    helpText:
      'Table for failed messages and rows, as project:dataset.table, e.g. <project>:pmp_ops.velib_station_status_curated_dlq.',
    regexes: ['^[a-z][a-z0-9-]{4,28}[a-z0-9]:[A-Za-z0-9_]{1,1024}\\.[-A-Za-z0-9_ ]{1,1024}$'],
  },
] as const;

export type FlexTemplateParameterName = (typeof FLEX_TEMPLATE_PARAMETERS)[number]['name'];

/** Checks the three parameters; the error names each one at fault and its expected form. */
export function validateFlexTemplateParameters(
  values: Partial<Record<string, string>>,
): Record<FlexTemplateParameterName, string> {
  const problems: string[] = [];
  const out: Partial<Record<FlexTemplateParameterName, string>> = {};
  for (const p of FLEX_TEMPLATE_PARAMETERS) {
    const value = values[p.name];
    if (value === undefined || value === '') problems.push(`--${p.name} is required`);
    else if (!p.regexes.every((r) => new RegExp(r).test(value))) {
      problems.push(`--${p.name} ${JSON.stringify(value)} does not match ${p.regexes.join(', ')}`);
    } else out[p.name] = value;
  }
  if (problems.length > 0) throw new TypeError(problems.join('; '));
  return out as Record<FlexTemplateParameterName, string>;
}
