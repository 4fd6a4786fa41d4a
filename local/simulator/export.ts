import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderFeed, type FeedFormat } from './feeds.js';
import { VelibModel } from './model.js';
import { checkInterval, checkTime, parseFormat, parseSeed } from './options.js';
import { loadStationList } from './station-list.js';

export interface ExportOptions {
  /** Created if missing; existing files of the same names are overwritten. */
  readonly dir: string;
  /** First snapshot (the model's start); whole seconds are kept. */
  readonly from: Date;
  /** Last snapshot at or before this time. */
  readonly to: Date;
  /** Seconds between snapshots; a multiple of the model tick (10 s). @default 60 */
  readonly everySeconds?: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default 'velib' */
  readonly format?: FeedFormat;
  readonly stationsFile?: string;
  /** Called after each snapshot is written, e.g. to drive a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportResult {
  /** station_information.json, then one station_status file per tick, in time order. */
  readonly files: readonly string[];
  readonly snapshots: number;
}

/** `station_status_2025-10-18T09-10-00Z.json`: sortable, and no ':' for file systems that refuse it. */
export function snapshotFileName(timeMs: number): string {
  const iso = new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `station_status_${iso.replaceAll(':', '-')}.json`;
}

/** Writes a recorded history: what a collector polling every `everySeconds` would have fetched. */
export async function exportHistory(options: ExportOptions): Promise<ExportResult> {
  const everySeconds = options.everySeconds ?? 60;
  checkInterval(everySeconds, 'every');
  const seed = parseSeed(options.seed ?? 1);
  const format = parseFormat(options.format ?? 'velib');
  const fromMs = checkTime(options.from, 'from').getTime();
  const toMs = checkTime(options.to, 'to').getTime();
  if (toMs < fromMs) {
    throw new TypeError(
      `to: ${options.to.toISOString()} is before from ${options.from.toISOString()}`,
    );
  }

  const list = loadStationList(options.stationsFile);
  const model = new VelibModel({ stations: list.stations, seed, start: options.from });
  const total = Math.floor((toMs - model.startMs) / (everySeconds * 1000)) + 1;
  await mkdir(options.dir, { recursive: true });

  const files: string[] = [];
  const information = join(options.dir, 'station_information.json');
  await writeFile(information, renderFeed(model, 'station_information', format, '') ?? '');
  files.push(information);
  for (let index = 0; index < total; index++) {
    model.advanceTo(model.startMs + index * everySeconds * 1000);
    const file = join(options.dir, snapshotFileName(model.timeMs));
    await writeFile(file, renderFeed(model, 'station_status', format, '') ?? '');
    files.push(file);
    options.onProgress?.(index + 1, total);
  }
  return { files, snapshots: total };
}
