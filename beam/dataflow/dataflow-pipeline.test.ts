import 'apache-beam';
import { deserializeFn } from 'apache-beam/internal/serialize';
import { ParDoPayload, type Pipeline } from 'apache-beam/proto/beam_runner_api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedDlqTable, stationStatusCuratedTable } from '../../core/index.js';
import { ParseNormalizeDoFn, SnapshotToRowsDoFn } from '../transform/curated-dofns.js';
import { SCHEMA_TRANSFORM_URN } from './bigquery-storage-write.js';
import { dataflowPipeline } from './dataflow-pipeline.js';
import { GraphCapturingRunner } from '../testing/graph-capturing-runner.js';
import {
  JAVA_GCP_EXPANSION_TARGET,
  startRecordingExpansionService,
  type RecordingExpansionService,
} from '../testing/recording-expansion-service.js';

const PARAMS = {
  inputSubscription: 'projects/pmp-dev/subscriptions/pmp-events-dataflow-sub',
  outputTable: 'pmp-dev:pmp_curated.velib_station_status',
  dlqTable: 'pmp-dev:pmp_ops.velib_station_status_curated_dlq',
};

const PARDO = 'beam:transform:pardo:v1';

describe('the Dataflow variant: readFromPubSub → curated composite → BigQuery writes', () => {
  let expansion: RecordingExpansionService;
  let pipeline: Pipeline;
  const saved = process.env.BEAM_SERVICE_OVERRIDES;

  beforeAll(async () => {
    expansion = await startRecordingExpansionService();
    process.env.BEAM_SERVICE_OVERRIDES = JSON.stringify({
      [JAVA_GCP_EXPANSION_TARGET]: expansion.address,
    });
    const runner = new GraphCapturingRunner();
    await runner.run(dataflowPipeline(PARAMS));
    pipeline = runner.captured!;
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.BEAM_SERVICE_OVERRIDES;
    else process.env.BEAM_SERVICE_OVERRIDES = saved;
    await expansion?.close();
  });

  const transforms = () => Object.values(pipeline.components!.transforms);
  const byName = (suffix: string) => {
    const found = transforms().filter((t) => t.uniqueName.endsWith(suffix));
    expect(found, suffix).toHaveLength(1);
    return found[0]!;
  };
  const producerOf = (pcollectionId: string) =>
    transforms().find(
      (t) => t.subtransforms.length === 0 && Object.values(t.outputs).includes(pcollectionId),
    );
  /** Leaf transforms from `transform` back to the source, following main inputs. */
  const upstream = (name: string): string[] => {
    const chain: string[] = [];
    let current = byName(name);
    for (;;) {
      chain.push(current.uniqueName);
      const input = Object.values(current.inputs)[0];
      const next = input === undefined ? undefined : producerOf(input);
      if (!next) return chain;
      current = next;
    }
  };

  it('asks the expansion service for a Pub/Sub read and two BigQuery writes, with our names', () => {
    const requested = expansion.requests.map((r) => r.transform!.spec!.urn);
    expect(requested.sort()).toEqual([
      SCHEMA_TRANSFORM_URN,
      SCHEMA_TRANSFORM_URN,
      'beam:transform:org.apache.beam:pubsub_read:v1',
    ]);
    const payloads = expansion.requests.map((r) =>
      Buffer.from(r.transform!.spec!.payload).toString('latin1'),
    );
    expect(payloads.some((p) => p.includes(PARAMS.inputSubscription))).toBe(true);
    expect(payloads.some((p) => p.includes(PARAMS.outputTable))).toBe(true);
    expect(payloads.some((p) => p.includes(PARAMS.dlqTable))).toBe(true);
  });

  it('wires rows and DLQ records from the composite into their own BigQuery write', () => {
    const writes = transforms().filter((t) => t.spec?.urn === SCHEMA_TRANSFORM_URN);
    expect(writes).toHaveLength(2);
    const chains = writes.map((w) => {
      const chain: string[] = [];
      let current: (typeof writes)[number] | undefined = w;
      while (current) {
        chain.push(current.uniqueName);
        const input: string | undefined = Object.values(current.inputs)[0];
        current = input === undefined ? undefined : producerOf(input);
      }
      return chain.join(' ← ');
    });
    const rowsChain = chains.find((c) => c.includes('unkey_rows'))!;
    const dlqChain = chains.find((c) => c.includes('unkey_dlq'))!;
    expect(rowsChain).toMatch(
      /write_rows.*unkey_rows.*snapshot_to_station_rows_outputs.*snapshot_to_station_rows.*parse_normalize_outputs.*parse_normalize.*pubsub_message.*read_pubsub/,
    );
    expect(dlqChain).toMatch(/write_dlq.*unkey_dlq.*curated\/dlq/);
    // The DLQ flatten takes the failure outputs of both stages.
    const flatten = byName('curated/dlq');
    const sources = Object.values(flatten.inputs).map((id) => producerOf(id)!.uniqueName);
    expect(sources.sort()).toEqual([
      expect.stringMatching(/parse_normalize_outputs$/),
      expect.stringMatching(/snapshot_to_station_rows_outputs$/),
    ]);
    expect(upstream('curated/dlq').length).toBeGreaterThan(0);
  });

  it("turns the rows BigQuery refuses into DLQ records beside the composite's", () => {
    const writeOf = (name: string) =>
      transforms().find(
        (t) => t.spec?.urn === SCHEMA_TRANSFORM_URN && t.uniqueName.includes(name),
      )!;
    const writeRows = writeOf('write_rows');
    const refused = transforms().find(
      (t) => t.spec?.urn === PARDO && t.uniqueName.includes('refused_rows_to_dlq'),
    )!;
    expect(Object.values(refused.inputs)).toEqual([writeRows.outputs.FailedRowsWithErrors]);
    const merged = byName('dlq_with_refused_rows');
    const sources = Object.values(merged.inputs).map((id) => producerOf(id)!.uniqueName);
    expect(sources.sort()).toEqual([
      expect.stringMatching(/refused_rows_to_dlq\)?$/),
      expect.stringMatching(/unkey_dlq\)?$/),
    ]);
    const dlqWriteInput = Object.values(writeOf('write_dlq').inputs)[0]!;
    expect(upstream(producerOf(dlqWriteInput)!.uniqueName).join(' ← ')).toMatch(
      /dlq_schema.*dlq_with_refused_rows/,
    );
  });

  it('gives each write a Beam schema with exactly the warehouse table columns', () => {
    const coders = pipeline.components!.coders;
    const pcolls = pipeline.components!.pcollections;
    const writes = transforms().filter((t) => t.spec?.urn === SCHEMA_TRANSFORM_URN);
    const columns = writes.map((w) => {
      const coder = coders[pcolls[Object.values(w.inputs)[0]!]!.coderId]!;
      expect(coder.spec!.urn).toBe('beam:coder:row:v1');
      // The Schema proto is binary; its field names appear in it as plain strings.
      return Buffer.from(coder.spec!.payload).toString('latin1');
    });
    for (const table of [stationStatusCuratedTable, curatedDlqTable]) {
      const schema = columns.find((c) => c.includes(table.fields[0].name))!;
      for (const f of table.fields) expect(schema).toContain(f.name);
    }
  });

  it('reads an unbounded source (a streaming job) and serializes DoFns the worker can rebuild', () => {
    const read = transforms().find((t) => t.spec?.urn?.endsWith('pubsub_read:v1'))!;
    const out = pipeline.components!.pcollections[Object.values(read.outputs)[0]!]!;
    expect(out.isBounded).toBe(1);
    const parse = byName('curated/parDo(parse_normalize)');
    expect(parse.spec!.urn).toBe(PARDO);
    const payload = ParDoPayload.fromBinary(parse.spec!.payload);
    const { doFn } = deserializeFn(payload.doFn!.payload) as { doFn: unknown };
    expect(doFn).toBeInstanceOf(ParseNormalizeDoFn);
    const map = byName('curated/parDo(snapshot_to_station_rows)');
    const mapped = deserializeFn(ParDoPayload.fromBinary(map.spec!.payload).doFn!.payload) as {
      doFn: unknown;
    };
    expect(mapped.doFn).toBeInstanceOf(SnapshotToRowsDoFn);
  });
});
