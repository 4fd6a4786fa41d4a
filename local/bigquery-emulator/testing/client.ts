import type { BigQuery, TableField } from '@google-cloud/bigquery';
import type { FieldSchema } from '../../../core/warehouse/index.js';
import { silentLogger } from '../../../services/shared/logger.js';
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
