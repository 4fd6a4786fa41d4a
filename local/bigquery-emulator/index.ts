import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createLogger, type Logger } from '../../runtime/logger.js';
import { createApp } from './server.js';
import type { EmulatorState } from './state.js';
import { Database } from './storage/database.js';
import { InsertIdLog } from './storage/insert-id-log.js';
import { InsertIdCache } from './storage/insert-ids.js';
import { MetadataStore } from './storage/metadata.js';
import { RefreshMarks } from './storage/refresh-marks.js';
import { ResultCache } from './storage/results.js';
import { sqlTranslator, type Translator } from './translator.js';

export interface BigQueryEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Folder holding `bigquery.duckdb`, so data survives restarts. @default in memory */
  readonly dataDir?: string;
  /** @default a logger named `bigquery-emulator` */
  readonly log?: Logger;
  /** Project reported by the emulator's own tooling; clients name their project in every path. @default 'local-project' */
  readonly defaultProjectId?: string;
  /** @default the translator in `./sql` */
  readonly translator?: Translator;
  /** How long insertIds are remembered for de-duplication. @default 10 minutes */
  readonly insertIdWindowMs?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /**
   * With `dataDir`: quiet time after the last write before DuckDB's log is checkpointed (tests
   * shorten it). @default 1 s (`IDLE_CHECKPOINT_MS`)
   */
  readonly idleCheckpointMs?: number;
}

const internals = new WeakMap<BigQueryEmulator, EmulatorState>();

/** A running emulator's internals, for tests of what the API cannot show (caches, checkpoints). */
export function internalStateOf(emulator: BigQueryEmulator): EmulatorState | undefined {
  return internals.get(emulator);
}

export interface BigQueryEmulator {
  /** Base URL to put in BIGQUERY_EMULATOR_HOST, e.g. `http://127.0.0.1:9050`. */
  readonly url: string;
  readonly port: number;
  readonly defaultProjectId: string;
  close(): Promise<void>;
}

/** Starts the BigQuery emulator (REST API of `@google-cloud/bigquery`, storage in DuckDB). */
export async function startBigQueryEmulator(
  options: BigQueryEmulatorOptions,
): Promise<BigQueryEmulator> {
  const log = options.log ?? createLogger({ name: 'bigquery-emulator' });
  let path: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    path = join(options.dataDir, 'bigquery.duckdb');
  }
  const db = await Database.open(
    path,
    options.idleCheckpointMs === undefined ? {} : { idleCheckpointMs: options.idleCheckpointMs },
  );
  const meta = await db.exclusive((connection) => MetadataStore.load(connection));
  const insertIds = new InsertIdCache(options.insertIdWindowMs);
  let insertIdLog: InsertIdLog | undefined;
  let refreshMarks: RefreshMarks | undefined;
  if (path) {
    refreshMarks = await db.exclusive((connection) => RefreshMarks.open(connection));
    const opened = await db.exclusive((connection) =>
      InsertIdLog.open(connection, insertIds.windowMs, Date.now()),
    );
    insertIdLog = opened.log;
    for (const id of opened.recent) {
      // Only ids of the table as it exists now (not of a dropped one of the same name).
      const [projectId, rest] = splitOnce(id.tableKey, ':');
      const [datasetId, tableId] = splitOnce(rest, '.');
      const table = meta.getTable(projectId, datasetId, tableId);
      if (table?.creationTime === id.tableCreated)
        insertIds.load(id.tableKey, id.insertId, id.acceptedMs);
    }
  }
  const state: EmulatorState = {
    db,
    meta,
    insertIds,
    insertIdLog,
    refreshMarks,
    results: new ResultCache(),
    translator: options.translator ?? sqlTranslator,
    log,
    location: 'US',
    now: () => new Date(),
  };
  const server = createServer(createApp(state).callback());
  // insertAll bodies can take a while to arrive on a loaded machine.
  server.requestTimeout = 0;
  server.listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  log.info({ url, dataDir: options.dataDir ?? null }, 'BigQuery emulator listening');
  const emulator: BigQueryEmulator = {
    url,
    port,
    defaultProjectId: options.defaultProjectId ?? 'local-project',
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((e) => (e ? reject(e) : resolve())),
      );
      await db.close();
    },
  };
  internals.set(emulator, state);
  return emulator;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
