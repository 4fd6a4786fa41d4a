import * as beam from 'apache-beam';
import { readFromPubSubWithAttributes } from 'apache-beam/io/pubsub';
import type { Pipeline } from 'apache-beam/proto/beam_runner_api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_TRANSFORM_URN } from './bigquery-storage-write.js';
import { dataflowPipeline } from './dataflow-pipeline.js';
import { addServiceOverrides } from '../portable/runners.js';
import {
  GCP_IO_EXPANSION_TARGET,
  PubsubMessageProtoToCuratedMessageDoFn,
  readPubsubMessageProtos,
} from './pubsub-read.js';
import { GraphCapturingRunner } from '../testing/graph-capturing-runner.js';
import {
  startJavaExpansionService,
  type JavaExpansionService,
} from '../testing/java-expansion-service.js';

/*
 * The Dataflow graph against Beam's real Java GCP IO expansion service (2.49, assembled with Maven
 * on first use), not the stand-in of dataflow-pipeline.test.ts. What 2.49 can show here: the read is
 * expanded for real; each write is accepted (configuration decoded, our Row schema checked against
 * the provider's) up to the moment it fetches our table from BigQuery, which the Storage Write
 * expansion does during expansion and which cannot be answered without Google Cloud
 * (docs/dataflow.md, "What is verified").
 */

const SUBSCRIPTION = 'projects/pmp-dev/subscriptions/pmp-events-dataflow-sub';
const PARAMS = {
  inputSubscription: SUBSCRIPTION,
  outputTable: 'pmp-dev:pmp_curated.velib_station_status',
  dlqTable: 'pmp-dev:pmp_ops.velib_station_status_curated_dlq',
};

describe('the Dataflow graph on the real Java expansion service', () => {
  let service: JavaExpansionService;
  const saved = process.env.BEAM_SERVICE_OVERRIDES;

  beforeAll(async () => {
    service = await startJavaExpansionService();
    addServiceOverrides({ [GCP_IO_EXPANSION_TARGET]: service.address });
  }, 600_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.BEAM_SERVICE_OVERRIDES;
    else process.env.BEAM_SERVICE_OVERRIDES = saved;
    await service?.close();
  });

  it("refuses the SDK's own readFromPubSubWithAttributes (the payload field Java has no setter for)", async () => {
    const runner = new GraphCapturingRunner();
    await expect(
      runner.run(async (root) => {
        await root.applyAsync(readFromPubSubWithAttributes({ subscription: SUBSCRIPTION }));
      }),
    ).rejects.toThrow(/missing a setter setNeedsAttributes/);
  });

  it('expands our read into Java PubsubIO reading our subscription', async () => {
    const runner = new GraphCapturingRunner();
    await runner.run(async (root) => {
      const protos = await root.applyAsync(readPubsubMessageProtos({ subscription: SUBSCRIPTION }));
      protos.apply(beam.parDo(new PubsubMessageProtoToCuratedMessageDoFn()));
    });
    const pipeline: Pipeline = runner.captured!;
    const transforms = Object.values(pipeline.components!.transforms);
    // Dataflow swaps this composite for its native Pub/Sub source; other runners run its parts.
    const source = transforms.find((t) => t.spec?.urn === 'beam:transform:pubsub_read:v1');
    expect(source?.uniqueName).toMatch(/^read_pubsub\/PubsubUnboundedSource\//);
    const javaEnv = pipeline.components!.environments[source!.environmentId]!;
    expect(javaEnv.urn).toBe('beam:env:docker:v1');
    expect(Buffer.from(javaEnv.payload).toString('latin1')).toMatch(/beam_java\d+_sdk:2\.49\.0/);
    // PubSubReadPayload names it in PubsubIO's own path form.
    expect(Buffer.from(source!.spec!.payload).toString('latin1')).toContain(
      '/subscriptions/pmp-dev/pmp-events-dataflow-sub',
    );
    const decode = transforms.find(
      (t) => t.uniqueName.includes('pubsub_message') && t.subtransforms.length === 0,
    )!;
    const input = Object.values(decode.inputs)[0]!;
    const producer = transforms.find(
      (t) => t.subtransforms.length === 0 && Object.values(t.outputs).includes(input),
    );
    expect(producer?.uniqueName).toMatch(/^read_pubsub\//);
    expect(pipeline.components!.pcollections[input]!.isBounded).toBe(1); // UNBOUNDED
  });

  it('accepts our Storage Write configuration and Row schema, then looks our table up in BigQuery', async () => {
    const construction = new GraphCapturingRunner().run(dataflowPipeline(PARAMS));
    construction.catch(() => undefined);
    const deadline = Date.now() + 60_000;
    while (!service.tunnelRequests.includes('bigquery.googleapis.com:443')) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(service.tunnelRequests).toContain('bigquery.googleapis.com:443');
    const log = service.output();
    expect(log).toContain(`Expanding 'write_rows/External(${SCHEMA_TRANSFORM_URN})'`);
    expect(log).toContain('Validating schema');
    expect(log).not.toMatch(/is not compatible with the config of the Schema transform/);
  }, 90_000);
});
