import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { IArtifactRetrievalServiceClient } from 'apache-beam/proto/beam_artifact_api.client';
import { ArtifactFilePayload, type ArtifactInformation } from 'apache-beam/proto/beam_runner_api';

/*
 * A fix for the TypeScript SDK (2.49): when an external transform's expansion names artifacts (the
 * Java expansion service's jar), the SDK copies each into its cache by streaming it to a temporary
 * file and renaming that file by its hash. It renames as soon as the gRPC stream ends, without
 * waiting for the write stream to open its file or to flush it: on a busy machine the open is still
 * queued and the rename fails (ENOENT, seen on Flink streaming's first run), or the jar handed on
 * may still be short of its last bytes. Here an artifact is renamed only once it is whole on disk.
 * Artifacts already cached under their hash are reused, as the SDK does.
 */

/** The SDK's cache of downloaded artifacts, by sha256. */
const SDK_ARTIFACT_DIR = join(homedir(), '.apache_beam', 'cache', 'artifacts');

const FILE_ARTIFACT = 'beam:artifact:type:file:v1';
const PASSED_ON = new Set(['beam:artifact:type:url:v1', 'beam:artifact:type:embedded:v1']);
const ALREADY_APPLIED = Symbol.for('paris-mobility-pulse/beam/whole-artifacts');

function cachedFile(artifact: ArtifactInformation, path: string, sha256: string) {
  return {
    typeUrn: FILE_ARTIFACT,
    typePayload: ArtifactFilePayload.toBinary({ path, sha256 }),
    roleUrn: artifact.roleUrn,
    rolePayload: artifact.rolePayload,
  };
}

/** Streams `artifact` into `localDir`, renamed by its sha256 once every byte is written. */
async function storeArtifact(
  client: IArtifactRetrievalServiceClient,
  artifact: ArtifactInformation,
  localDir: string,
): Promise<ArtifactInformation> {
  if (artifact.typeUrn === FILE_ARTIFACT) {
    const { sha256 } = ArtifactFilePayload.fromBinary(artifact.typePayload);
    const cached = sha256 ? join(localDir, sha256) : '';
    if (sha256 && existsSync(cached)) return cachedFile(artifact, cached, sha256);
  }
  mkdirSync(localDir, { recursive: true });
  const partial = join(localDir, `temp-${randomUUID()}`);
  const file = createWriteStream(partial);
  const written = new Promise<void>((resolve, reject) => {
    file.once('error', reject);
    file.once('finish', resolve);
  });
  written.catch(() => undefined); // awaited below, after the call; a write error is thrown there
  const hasher = createHash('sha256');
  const call = client.getArtifact({ artifact });
  call.responses.onMessage((message) => {
    hasher.update(message.data);
    file.write(message.data);
  });
  try {
    await call;
  } catch (error) {
    file.destroy();
    await new Promise<void>((resolve) => file.once('close', () => resolve()));
    rmSync(partial, { force: true });
    throw error;
  }
  file.end();
  await written;
  const sha256 = hasher.digest('hex');
  const path = join(localDir, sha256);
  renameSync(partial, path);
  return cachedFile(artifact, path, sha256);
}

/** The SDK's `resolveArtifacts`, each downloaded artifact whole on disk before it is named. */
async function* resolveWholeArtifacts(
  client: IArtifactRetrievalServiceClient,
  artifacts: Iterable<ArtifactInformation>,
  localDir: string = SDK_ARTIFACT_DIR,
): AsyncGenerator<ArtifactInformation, void, unknown> {
  const { replacements } = await client.resolveArtifacts({
    artifacts: Array.from(artifacts),
    preferredUrns: [],
  }).response;
  for (const artifact of replacements) {
    yield PASSED_ON.has(artifact.typeUrn)
      ? artifact
      : await storeArtifact(client, artifact, localDir);
  }
}

/**
 * Makes the SDK's external transforms resolve artifacts through resolveWholeArtifacts: they call
 * the function on the SDK's CommonJS module object at expansion time, so replacing the export there
 * reaches them (idempotent).
 */
function resolveArtifactsWhole(): void {
  const sdkArtifacts = createRequire(import.meta.url)('apache-beam/runners/artifacts') as {
    resolveArtifacts: typeof resolveWholeArtifacts;
    [ALREADY_APPLIED]?: true;
  };
  if (sdkArtifacts[ALREADY_APPLIED]) return;
  sdkArtifacts.resolveArtifacts = resolveWholeArtifacts;
  sdkArtifacts[ALREADY_APPLIED] = true;
}

resolveArtifactsWhole();
