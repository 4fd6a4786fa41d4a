import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  open,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ChannelCredentials } from '@grpc/grpc-js';
import { GrpcTransport } from '@protobuf-ts/grpc-transport';
import {
  GetArtifactRequest,
  GetArtifactResponse,
  ResolveArtifactsRequest,
  ResolveArtifactsResponse,
} from 'apache-beam/proto/beam_artifact_api';
import { ArtifactRetrievalServiceClient } from 'apache-beam/proto/beam_artifact_api.client';
import { ArtifactFilePayload, type ArtifactInformation } from 'apache-beam/proto/beam_runner_api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The SDK's artifact download (what an external transform's expansion runs) against a real gRPC
 * artifact retrieval server, with this process's libuv thread pool busy, as on a loaded machine:
 * the file's open waits in the pool's queue while the download completes on the network.
 */

type ResolveArtifacts = (
  client: ArtifactRetrievalServiceClient,
  artifacts: Iterable<ArtifactInformation>,
  localDir?: string,
) => AsyncGenerator<ArtifactInformation, void, unknown>;

const sdkArtifacts = createRequire(import.meta.url)('apache-beam/runners/artifacts') as {
  resolveArtifacts: ResolveArtifacts;
};
// Kept before the fix is loaded (in beforeAll), to show what the fix is for.
const sdkResolveArtifacts = sdkArtifacts.resolveArtifacts;

const SERVICE = '/org.apache.beam.model.job_management.v1.ArtifactRetrievalService';
const JAR = randomBytes(4 << 20);
const JAR_SHA256 = createHash('sha256').update(JAR).digest('hex');
const CHUNK = 64 << 10;

/** A Java expansion service's answer: its jar, as a file on the service's side. */
const jarArtifact = (sha256 = ''): ArtifactInformation => ({
  typeUrn: 'beam:artifact:type:file:v1',
  typePayload: ArtifactFilePayload.toBinary({ path: '/service/expansion.jar', sha256 }),
  roleUrn: 'beam:artifact:role:staging_to:v1',
  rolePayload: new Uint8Array(),
});

function codec<T extends object>(type: {
  toBinary(message: T): Uint8Array;
  fromBinary(bytes: Uint8Array): T;
}) {
  return {
    serialize: (message: T) => Buffer.from(type.toBinary(message)),
    deserialize: (bytes: Buffer) => type.fromBinary(bytes),
  };
}

async function serveJar(downloads: { count: number }) {
  const hooks: { onServed?: (() => void) | undefined } = {};
  const request = codec(ResolveArtifactsRequest);
  const response = codec(ResolveArtifactsResponse);
  const getRequest = codec(GetArtifactRequest);
  const getResponse = codec(GetArtifactResponse);
  const server = new grpc.Server();
  server.addService(
    {
      resolveArtifacts: {
        path: `${SERVICE}/ResolveArtifacts`,
        requestStream: false,
        responseStream: false,
        requestSerialize: request.serialize,
        requestDeserialize: request.deserialize,
        responseSerialize: response.serialize,
        responseDeserialize: response.deserialize,
      },
      getArtifact: {
        path: `${SERVICE}/GetArtifact`,
        requestStream: false,
        responseStream: true,
        requestSerialize: getRequest.serialize,
        requestDeserialize: getRequest.deserialize,
        responseSerialize: getResponse.serialize,
        responseDeserialize: getResponse.deserialize,
      },
    },
    {
      resolveArtifacts: (
        call: grpc.ServerUnaryCall<ResolveArtifactsRequest, ResolveArtifactsResponse>,
        callback: grpc.sendUnaryData<ResolveArtifactsResponse>,
      ) => callback(null, { replacements: call.request.artifacts }),
      getArtifact: (call: grpc.ServerWritableStream<GetArtifactRequest, GetArtifactResponse>) => {
        downloads.count += 1;
        for (let at = 0; at < JAR.length; at += CHUNK) {
          call.write({ data: JAR.subarray(at, at + CHUNK) });
        }
        call.end();
        hooks.onServed?.();
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new ArtifactRetrievalServiceClient(
    new GrpcTransport({
      host: `127.0.0.1:${port}`,
      channelCredentials: ChannelCredentials.createInsecure(),
    }),
  );
  return {
    server,
    client,
    set onServed(hook: (() => void) | undefined) {
      hooks.onServed = hook;
    },
  };
}

/**
 * Holds every thread of libuv's pool in an open(2) of a FIFO that has no writer yet, so that every
 * file open of this process waits in the pool's queue, as on a loaded machine, until `release`.
 */
async function holdThreadPool(dir: string): Promise<() => void> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `fifo-${i}`));
  for (const fifo of fifos) {
    execFileSync('mkfifo', [fifo]);
    open(fifo, 'r', (error, fd) => {
      if (!error) closeSync(fd);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // the pool's threads take the opens
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const fifo of fifos) closeSync(openSync(fifo, 'w'));
  };
}

async function resolveAll(
  resolve: ResolveArtifacts,
  client: ArtifactRetrievalServiceClient,
  dir: string,
) {
  const resolved: ArtifactInformation[] = [];
  for await (const artifact of resolve(client, [jarArtifact()], dir)) resolved.push(artifact);
  return resolved;
}

describe('artifacts of an expansion, once whole-artifacts is loaded', () => {
  const downloads = { count: 0 };
  let served: Awaited<ReturnType<typeof serveJar>>;
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmp-artifacts-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    served = await serveJar(downloads);
    await import('./whole-artifacts.js');
  });
  afterAll(() => {
    served?.server.forceShutdown();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("the SDK's own download renames a file that is not there yet when file opens wait", async () => {
    const release = await holdThreadPool(freshDir());
    try {
      await expect(resolveAll(sdkResolveArtifacts, served.client, freshDir())).rejects.toThrow(
        /ENOENT: no such file or directory, rename/,
      );
    } finally {
      release();
    }
  });

  it('stores the whole jar under its sha256 when file opens wait', async () => {
    const dir = freshDir();
    const release = await holdThreadPool(freshDir());
    served.onServed = () => setTimeout(release, 100);
    let resolved: ArtifactInformation | undefined;
    try {
      [resolved] = await resolveAll(sdkArtifacts.resolveArtifacts, served.client, dir);
    } finally {
      served.onServed = undefined;
      release();
    }
    const payload = ArtifactFilePayload.fromBinary(resolved!.typePayload);
    expect(payload).toEqual({ path: join(dir, JAR_SHA256), sha256: JAR_SHA256 });
    expect(readFileSync(payload.path).equals(JAR)).toBe(true);
    expect(readdirSync(dir)).toEqual([JAR_SHA256]);
    expect(resolved!.roleUrn).toBe('beam:artifact:role:staging_to:v1');
  });

  it('reuses a jar already stored under the sha256 its service names', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, JAR_SHA256), JAR);
    const before = downloads.count;
    const resolved: ArtifactInformation[] = [];
    for await (const artifact of sdkArtifacts.resolveArtifacts(
      served.client,
      [jarArtifact(JAR_SHA256)],
      dir,
    )) {
      resolved.push(artifact);
    }
    expect(downloads.count).toBe(before);
    expect(ArtifactFilePayload.fromBinary(resolved[0]!.typePayload).path).toBe(
      join(dir, JAR_SHA256),
    );
  });
});
