import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  openDataToStationStatus,
  stationIdsByCode,
  type OpenDataConversion,
} from '../../core/index.js';
import { isSingleFile, timeFromFileName, type RecordedSnapshot } from './replay.js';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file}: no such file`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
}

/** `stationCode` → `station_id` from a station_information file. */
export function readStationIds(file: string): Map<string, number | string> {
  try {
    return stationIdsByCode(readJson(file));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The export files of an open-data recording: every `*.json` of a folder in name order (the
 * station_information file given by `--stations` left out), or the one file given.
 */
export function listOpenDataRecording(input: string, stationsFile: string): string[] {
  if (isSingleFile(input)) return [input];
  const stations = path.resolve(stationsFile);
  const files = readdirSync(input)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => path.join(input, n))
    .filter((f) => path.resolve(f) !== stations);
  if (files.length === 0) throw new Error(`${input}: no *.json open-data export files`);
  return files;
}

export interface OpenDataFile {
  readonly file: string;
  readonly conversion: OpenDataConversion;
  /** Null when no record converted (each one is then unmatched or rejected). */
  readonly snapshot: RecordedSnapshot | null;
}

/**
 * One export file → one station_status snapshot. The snapshot time is the file name's with
 * `timeFromName` (a name without one is an error), else the newest `duedate` in the file.
 */
export function readOpenDataFile(
  file: string,
  stationIds: ReadonlyMap<string, number | string>,
  options: { timeFromName?: boolean } = {},
): OpenDataFile {
  const name = path.basename(file);
  const fromName = options.timeFromName ? timeFromFileName(name) : undefined;
  if (options.timeFromName && !fromName) {
    throw new Error(`${file}: --time-from-name, but the name has no …2025-10-18T09-10-00Z… time`);
  }
  let conversion: OpenDataConversion;
  try {
    conversion = openDataToStationStatus({
      exported: readJson(file),
      stationIds,
      snapshotTime: fromName,
    });
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  const snapshot: RecordedSnapshot | null = conversion.document
    ? {
        label: name,
        eventType: 'station_status_snapshot',
        document: conversion.document,
        collectedAt: fromName,
      }
    : null;
  return { file, conversion, snapshot };
}
