import type { BigQuery, TableField } from '@google-cloud/bigquery';
import type { FieldSchema } from '../../../core/warehouse/index.js';
import { silentLogger } from '../../../runtime/logger.js';
import { emulatorClient } from '../../../sql/testing/warehouse.js';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
  type BigQueryEmulatorOptions,
} from '../index.js';

/**
 * Starts an emulator on a free port and builds the official client the way services do: from
 * BIGQUERY_EMULATOR_HOST alone (restored afterwards, the variable is read by the constructor).
 */
export async function startWithClient(
  options: Partial<BigQueryEmulatorOptions> = {},
  projectId = 'test-project',
): Promise<{ emulator: BigQueryEmulator; bigquery: BigQuery }> {
  const emulator = await startBigQueryEmulator({ port: 0, log: silentLogger(), ...options });
  return { emulator, bigquery: emulatorClient(emulator.url, projectId) };
}

/** A warehouse schema (readonly, from core/warehouse) as the mutable field list the client types want. */
export function clientFields(fields: readonly FieldSchema[]): TableField[] {
  return JSON.parse(JSON.stringify(fields)) as TableField[];
}

/**
 * Records the rows of every insertAll request the client makes from now on, its own partial
 * retries included, with a request interceptor (the client's hook, so the emulator stays real).
 * `stop()` removes the interceptor.
 */
export function recordInsertAllRequests(client: BigQuery): {
  readonly requests: readonly { insertId?: string }[][];
  stop(): void;
} {
  const requests: { insertId?: string }[][] = [];
  type Interceptor = BigQuery['interceptors'][number];
  const interceptor: Interceptor = {
    // The client hands its interceptors the decorated options it also returns (with `uri`); the
    // declared parameter type is the wider one of its HTTP library.
    request: (options) => {
      const decorated = options as ReturnType<Interceptor['request']>;
      const body = decorated.json as { rows?: { insertId?: string }[] } | undefined;
      if (decorated.uri.endsWith('/insertAll')) requests.push(body?.rows ?? []);
      return decorated;
    },
  };
  client.interceptors.push(interceptor);
  return {
    requests,
    stop: () => void client.interceptors.splice(client.interceptors.indexOf(interceptor), 1),
  };
}
