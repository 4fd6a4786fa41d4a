import * as grpc from '@grpc/grpc-js';
import {
  ExpansionRequest,
  ExpansionResponse,
} from 'apache-beam/proto/org/apache/beam/model/job_management/v1/beam_expansion_api';
import { SCHEMA_TRANSFORM_URN } from '../dataflow/bigquery-storage-write.js';

/*
 * A stand-in for Beam's Java expansion service (sdks:java:io:google-cloud-platform:expansion-service),
 * which the TypeScript SDK contacts while *constructing* a pipeline that uses readFromPubSub or
 * writeToBigQuery. The real one is a jar the SDK downloads from Maven Central and runs with Java;
 * neither is available to tests here. This one answers Expand by echoing the requested transform
 * back as a leaf in a Java environment (with one unbounded bytes output for reads), and records
 * each request, so a test can build the Dataflow graph and check its shape without running it. The
 * SDK is pointed at it with BEAM_SERVICE_OVERRIDES, its documented override.
 */

export const JAVA_GCP_EXPANSION_TARGET =
  'sdks:java:io:google-cloud-platform:expansion-service:shadowJar';

const READ_URNS = new Set(['beam:transform:org.apache.beam:pubsub_read:v1']);

export interface RecordingExpansionService {
  /** `host:port` to put in BEAM_SERVICE_OVERRIDES. */
  readonly address: string;
  readonly requests: ExpansionRequest[];
  close(): Promise<void>;
}

function expand(request: ExpansionRequest): ExpansionResponse {
  const ns = request.namespace;
  const transform = request.transform!;
  const urn = transform.spec?.urn ?? '';
  const envId = `${ns}java`;
  const components = {
    environments: {
      [envId]: {
        urn: 'beam:env:docker:v1',
        payload: new Uint8Array(),
        displayData: [],
        capabilities: [],
        dependencies: [],
        resourceHints: {},
      },
    },
    pcollections: {} as Record<string, unknown>,
    coders: {} as Record<string, unknown>,
    transforms: {},
    windowingStrategies: {},
  };
  /*
   * Unbounded bytes outputs, by tag: the read's one, and the Storage Write SchemaTransform's two
   * (Row-coded in the real service; a graph test only follows their ids).
   */
  const tags = READ_URNS.has(urn)
    ? ['out']
    : urn === SCHEMA_TRANSFORM_URN
      ? ['FailedRows', 'FailedRowsWithErrors']
      : [];
  const outputs: Record<string, string> = {};
  if (tags.length > 0) {
    components.coders[`${ns}bytes`] = {
      spec: { urn: 'beam:coder:bytes:v1', payload: new Uint8Array() },
      componentCoderIds: [],
    };
  }
  const windowing = Object.keys(request.components?.windowingStrategies ?? {})[0] ?? '';
  for (const tag of tags) {
    components.pcollections[`${ns}${tag}`] = {
      uniqueName: `${ns}${tag}`,
      coderId: `${ns}bytes`,
      isBounded: 1, // UNBOUNDED
      windowingStrategyId: windowing,
      displayData: [],
    };
    outputs[tag] = `${ns}${tag}`;
  }
  return ExpansionResponse.create({
    components: components as never,
    transform: {
      ...transform,
      outputs,
      environmentId: envId,
    },
    requirements: [],
    error: '',
  });
}

export async function startRecordingExpansionService(): Promise<RecordingExpansionService> {
  const requests: ExpansionRequest[] = [];
  const server = new grpc.Server();
  server.addService(
    {
      expand: {
        path: '/org.apache.beam.model.expansion.v1.ExpansionService/Expand',
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: ExpansionRequest) => Buffer.from(ExpansionRequest.toBinary(m)),
        requestDeserialize: (b: Buffer) => ExpansionRequest.fromBinary(b),
        responseSerialize: (m: ExpansionResponse) => Buffer.from(ExpansionResponse.toBinary(m)),
        responseDeserialize: (b: Buffer) => ExpansionResponse.fromBinary(b),
      },
    },
    {
      expand: (
        call: grpc.ServerUnaryCall<ExpansionRequest, ExpansionResponse>,
        callback: grpc.sendUnaryData<ExpansionResponse>,
      ) => {
        requests.push(call.request);
        callback(null, expand(call.request));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
