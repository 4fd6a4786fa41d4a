import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStationList, type StationList } from '../station-list.js';

/** The repository root; ../shared sits beside it (see the working agreement). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedVelib = resolve(repoRoot, '../shared/data/velib');
export const sharedGbfsSchemas = resolve(repoRoot, '../shared/schemas/gbfs');

export function readSharedJson(file: string): unknown {
  return JSON.parse(readFileSync(resolve(sharedVelib, file), 'utf8'));
}

let stations: StationList | undefined;
/** The committed Vélib station list, loaded once per test file. */
export function velibStations(): StationList {
  stations ??= loadStationList();
  return stations;
}

/** A Monday in October (CEST, UTC+2): 05:00Z is 07:00 in Paris. */
export const MONDAY_0500Z = Date.parse('2025-10-20T05:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
