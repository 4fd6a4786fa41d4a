import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataflowRunnerOptions, parseLauncherArgs } from './dataflow-main.js';
import {
  FLEX_TEMPLATE_PARAMETERS,
  validateFlexTemplateParameters,
} from './flex-template-params.js';
import { parseTableSpec } from './table-spec.js';
import { repoRoot } from '../testing/fixtures.js';

const metadata = JSON.parse(
  readFileSync(join(repoRoot, 'beam/dataflow/metadata.json'), 'utf8'),
) as {
  sdkInfo: { language: string };
  streaming: boolean;
  parameters: { name: string; regexes: string[]; isOptional: boolean }[];
};

const good = {
  input_subscription: 'projects/pmp-dev-123/subscriptions/pmp-events-dataflow-sub',
  output_table: 'pmp-dev-123:pmp_curated.velib_station_status',
  dlq_table: 'pmp-dev-123:pmp_ops.velib_station_status_curated_dlq',
};

describe('Flex Template metadata and launch wiring', () => {
  it('metadata.json declares exactly the parameters and regexes the launcher checks', () => {
    expect(metadata.sdkInfo.language).toBe('PYTHON');
    expect(metadata.streaming).toBe(true);
    expect(metadata.parameters).toEqual(
      FLEX_TEMPLATE_PARAMETERS.map((p) => ({ ...p, regexes: [...p.regexes], isOptional: false })),
    );
  });

  it('accepts the real names and rejects malformed ones, naming the parameter', () => {
    expect(validateFlexTemplateParameters(good)).toEqual(good);
    for (const spec of [good.output_table, good.dlq_table])
      expect(parseTableSpec(spec).projectId).toBe('pmp-dev-123');
    expect(() =>
      validateFlexTemplateParameters({ ...good, input_subscription: 'pmp-events-dataflow-sub' }),
    ).toThrow(/--input_subscription "pmp-events-dataflow-sub" does not match/);
    expect(() =>
      validateFlexTemplateParameters({ ...good, output_table: 'pmp_curated.velib_station_status' }),
    ).toThrow(/--output_table/);
    expect(() => validateFlexTemplateParameters({ ...good, dlq_table: 'p:d.t; DROP' })).toThrow(
      /--dlq_table/,
    );
    expect(() => validateFlexTemplateParameters({})).toThrow(
      /--input_subscription is required; --output_table is required; --dlq_table is required/,
    );
  });

  it('reads launcher arguments in both --k=v and --k v forms into runner options', () => {
    const args = parseLauncherArgs([
      `--input_subscription=${good.input_subscription}`,
      '--output_table',
      good.output_table,
      '--project=pmp-dev-123',
      '--region=europe-west9',
      '--temp_location=gs://pmp-dataflow/temp',
      '--job_name=pmp-velib-curated',
    ]);
    expect(args.input_subscription).toBe(good.input_subscription);
    expect(args.output_table).toBe(good.output_table);
    expect(dataflowRunnerOptions(args)).toEqual({
      project: 'pmp-dev-123',
      region: 'europe-west9',
      tempLocation: 'gs://pmp-dataflow/temp',
      jobName: 'pmp-velib-curated',
      streaming: true,
    });
    expect(() => dataflowRunnerOptions({ project: 'p' })).toThrow(/--region is required/);
  });
});
