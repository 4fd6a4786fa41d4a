import { PubSub, type ClientConfig } from '@google-cloud/pubsub';
// google-gax's own google-auth-library, so the auth client is the type the clients expect.
import { googleAuthLibrary, type ClientOptions } from 'google-gax';
import { silentLogger } from '../../../runtime/logger.js';
import { startPubSubEmulator, type PubSubEmulator, type PubSubEmulatorOptions } from '../index.js';

export const PROJECT = 'pmp-test';

export interface Harness {
  emulator: PubSubEmulator;
  /** An official client configured only through PUBSUB_EMULATOR_HOST. */
  pubsub: PubSub;
  close(): Promise<void>;
}

/**
 * Options that point an official client (`PubSub` or `v1.*Client`) at the emulator's REST surface
 * through google-gax's HTTP/1.1 JSON transport (`fallback: 'rest'`), on the same port as gRPC.
 * `PubSub` reads host:port from `apiEndpoint`, the v1 clients from `servicePath` and `port`; REST
 * always needs an auth client, and PassThroughClient is google-auth-library's one for emulators.
 */
export function restClientOptions(emulator: PubSubEmulator): ClientConfig & ClientOptions {
  return {
    projectId: PROJECT,
    apiEndpoint: emulator.host,
    servicePath: emulator.host.slice(0, emulator.host.lastIndexOf(':')),
    port: emulator.port,
    protocol: 'http',
    fallback: 'rest',
    authClient: new googleAuthLibrary.PassThroughClient(),
  };
}

let counter = 0;
/** Run-unique resource ids, as the client's own system tests use. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Starts an in-process emulator on free ports and a client that finds it through the env only. */
export async function startHarness(options: PubSubEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startPubSubEmulator({
    port: 0,
    adminPort: 0,
    log: silentLogger(),
    ...options,
  });
  const saved = process.env.PUBSUB_EMULATOR_HOST;
  process.env.PUBSUB_EMULATOR_HOST = emulator.host;
  const pubsub = new PubSub({ projectId: PROJECT });
  if (saved === undefined) delete process.env.PUBSUB_EMULATOR_HOST;
  else process.env.PUBSUB_EMULATOR_HOST = saved;
  return {
    emulator,
    pubsub,
    close: async () => {
      await pubsub.close();
      await emulator.close();
    },
  };
}

/** Resolves when `predicate` holds, polling an event-free condition without fixed sleeps in tests. */
export async function until(
  predicate: () => boolean,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
