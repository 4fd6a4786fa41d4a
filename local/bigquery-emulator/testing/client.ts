import { BigQuery, type TableField } from '@google-cloud/bigquery';
import type { FieldSchema } from '../../../core/warehouse/index.js';
import { silentLogger } from '../../../services/shared/logger.js';
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
  const saved = process.env.BIGQUERY_EMULATOR_HOST;
  process.env.BIGQUERY_EMULATOR_HOST = emulator.url;
  try {
    return { emulator, bigquery: new BigQuery({ projectId }) };
  } finally {
    if (saved === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
    else process.env.BIGQUERY_EMULATOR_HOST = saved;
  }
}

/** A warehouse schema (readonly, from core/warehouse) as the mutable field list the client types want. */
export function clientFields(fields: readonly FieldSchema[]): TableField[] {
  return JSON.parse(JSON.stringify(fields)) as TableField[];
}
