import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { DataflowFlexTemplateJob } from '../cdk8s/imports/dataflow.cnrm.cloud.google.com.js';
import { curatedDlqTable, stationStatusCuratedTable } from '../core/warehouse/index.js';
import { dataflowBucket } from './environment.js';
import { DATAFLOW_JOB, SERVICE_ACCOUNTS, SUBSCRIPTIONS } from '../core/resource-names.js';

export interface StreamingJobChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Most workers Dataflow may scale to.
   * @default 1
   */
  readonly maxWorkers?: number;
}

/**
 * The streaming job `pmp-velib-curated` (Beam TS, Flex Template). It costs money while it runs, so it
 * renders to `demo/`; `on-delete: drain` lets in-flight bundles finish when `pmp demo down` deletes it.
 */
export class StreamingJobChart extends Chart {
  constructor(scope: Construct, id: string, props: StreamingJobChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    const bucket = dataflowBucket(config);
    const table = (t: { datasetId: string; tableId: string }) =>
      `${config.projectId}:${t.datasetId}.${t.tableId}`;
    new DataflowFlexTemplateJob(this, 'Job', {
      metadata: {
        name: DATAFLOW_JOB,
        annotations: { 'cnrm.cloud.google.com/on-delete': 'drain' },
      },
      spec: {
        region: config.region,
        containerSpecGcsPath: `gs://${bucket}/templates/${DATAFLOW_JOB}.json`,
        serviceAccountEmailRef: { name: SERVICE_ACCOUNTS.dataflow },
        tempLocation: `gs://${bucket}/temp`,
        stagingLocation: `gs://${bucket}/staging`,
        enableStreamingEngine: true,
        maxWorkers: props.maxWorkers ?? 1,
        parameters: {
          input_subscription: `projects/${config.projectId}/subscriptions/${SUBSCRIPTIONS.eventsDataflow}`,
          output_table: table(stationStatusCuratedTable),
          dlq_table: table(curatedDlqTable),
        },
      },
    });
  }
}
