import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in it (core/testing/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Real Vélib feed copies (read-only, see SOURCES.md there). */
export const velibDir = path.resolve(repoRoot, '../shared/data/velib');
export const gbfsSchemaDir = path.resolve(repoRoot, '../shared/schemas/gbfs');

export function readVelibText(name: string): string {
  return readFileSync(path.join(velibDir, name), 'utf8');
}

export function readVelibJson(name: string): unknown {
  return JSON.parse(readVelibText(name)) as unknown;
}

export function readGbfsSchema(version: string, feed: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(path.join(gbfsSchemaDir, version, `${feed}.json`), 'utf8'),
  ) as Record<string, unknown>;
}

/** The row of the station with operator code `code`; fails the test loudly when there is none. */
export function rowByCode<Row extends { station_code: string | null }>(
  rows: readonly Row[],
  code: string,
): Row {
  const row = rows.find((r) => r.station_code === code);
  if (!row) throw new Error(`no row for station ${code}`);
  return row;
}

/**
 * A City of Paris open-data export (`velib-disponibilite-en-temps-reel`, JSON) of six records,
 * built from the real feed copies: stations 16107, 40001, 31203, 5110 and 13123 with their
 * station_information names and coordinates and their station_status counts, flags as "OUI"/"NON"
 * and `last_reported` as a Europe/Paris `duedate`; plus 99901, a code the station list lacks.
 * The commune names are illustrative.
 */
export const openDataSamplePath = path.join(repoRoot, 'core/testing/velib-opendata-sample.json');

export function readOpenDataSample(): Record<string, unknown>[] {
  return JSON.parse(readFileSync(openDataSamplePath, 'utf8')) as Record<string, unknown>[];
}
