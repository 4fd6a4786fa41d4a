import { connect } from 'node:net';
import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { DEFAULT_DATA_DIR, readStackState, type StackState } from './state-file.js';

/** Where a command run beside the stack finds the emulators. */
export interface StackTarget {
  readonly pubsubHost: string;
  readonly bigqueryUrl: string;
  readonly pubsubAdminUrl: string;
  readonly projectId: string;
  /** Present when a `pmp start` is running for this data dir. */
  readonly state?: StackState;
}

/**
 * The running stack of `dataDir` if there is one; otherwise the emulator host variables; otherwise
 * the defaults of `pmp emulators` (Pub/Sub localhost:8085, admin 8086, BigQuery 9050).
 */
export function resolveTarget(
  options: { dataDir?: string; projectId?: string; env?: NodeJS.ProcessEnv } = {},
): StackTarget {
  const env = options.env ?? process.env;
  const state = readStackState(options.dataDir ?? DEFAULT_DATA_DIR);
  if (state) {
    return {
      pubsubHost: state.env.PUBSUB_EMULATOR_HOST,
      bigqueryUrl: state.env.BIGQUERY_EMULATOR_HOST,
      pubsubAdminUrl: state.pubsubAdminUrl,
      projectId: options.projectId ?? state.projectId,
      state,
    };
  }
  const pubsubHost = env.PUBSUB_EMULATOR_HOST ?? 'localhost:8085';
  return {
    pubsubHost,
    bigqueryUrl: env.BIGQUERY_EMULATOR_HOST ?? 'http://localhost:9050',
    pubsubAdminUrl:
      env.PUBSUB_EMULATOR_ADMIN_URL ?? `http://${pubsubHost.replace(/:\d+$/, '')}:8086`,
    projectId: options.projectId ?? env.PROJECT_ID ?? 'pmp-local',
  };
}

/**
 * Official clients pointed at the target. The clients read the emulator variables when they are
 * built, so they are set for the construction only and restored after.
 */
export function clientsFor(target: Pick<StackTarget, 'pubsubHost' | 'bigqueryUrl' | 'projectId'>): {
  pubsub: PubSub;
  bigquery: BigQuery;
} {
  const saved = {
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST,
    BIGQUERY_EMULATOR_HOST: process.env.BIGQUERY_EMULATOR_HOST,
  };
  // No Google metadata server next to the emulators: skip the clients' lookup (and its warning).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  process.env.PUBSUB_EMULATOR_HOST = target.pubsubHost;
  process.env.BIGQUERY_EMULATOR_HOST = target.bigqueryUrl;
  try {
    return {
      pubsub: new PubSub({ projectId: target.projectId }),
      bigquery: new BigQuery({ projectId: target.projectId }),
    };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function tcpReachable(hostPort: string, timeoutMs: number): Promise<boolean> {
  const match = /^(.*):(\d+)$/.exec(hostPort);
  if (!match) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Fails fast, naming the address, when an emulator is not there: the official clients would
 * otherwise retry for a minute before saying anything.
 */
export async function assertReachable(target: StackTarget, timeoutMs = 2_000): Promise<void> {
  const hint =
    'start the stack with `npm start` (or `pmp emulators`), or set the emulator host variables';
  if (!(await tcpReachable(target.pubsubHost, timeoutMs))) {
    throw new Error(`no Pub/Sub emulator answers at ${target.pubsubHost}: ${hint}`);
  }
  const url = new URL(target.bigqueryUrl);
  if (!(await tcpReachable(`${url.hostname}:${url.port || 80}`, timeoutMs))) {
    throw new Error(`no BigQuery emulator answers at ${target.bigqueryUrl}: ${hint}`);
  }
}
