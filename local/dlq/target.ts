import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { assertReachable, clientsFor, resolveTarget } from '../stack/connect.js';
import type { DlqClients } from './inventory.js';

export interface DlqTargetOptions {
  /** A Google Cloud project: the official clients against Google, emulator variables ignored. */
  readonly project?: string;
  /** The local stack's data dir (`pmp start --data-dir`). @default .pmp */
  readonly dataDir?: string;
}

/**
 * The clients `pmp dlq` works with: the running local stack (or the emulator variables, or the
 * `pmp emulators` defaults) unless a project is named. For a project the emulator variables are
 * hidden while the clients are built, so a shell that also talks to the stack cannot send a
 * command meant for Google to an emulator.
 */
export async function dlqClientsFor(
  options: DlqTargetOptions,
): Promise<DlqClients & { close(): Promise<void> }> {
  if (options.project) {
    const projectId = options.project;
    const clients = withoutEmulatorHosts(() => ({
      pubsub: new PubSub({ projectId }),
      bigquery: new BigQuery({ projectId }),
    }));
    return { ...clients, close: () => clients.pubsub.close() };
  }
  const target = resolveTarget({ dataDir: options.dataDir });
  await assertReachable(target);
  const clients = clientsFor(target);
  return { ...clients, close: () => clients.pubsub.close() };
}

function withoutEmulatorHosts<T>(build: () => T): T {
  const names = ['PUBSUB_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST'] as const;
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  try {
    return build();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
