import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportHistory, snapshotFileName } from './export.js';
import { VelibModel } from './model.js';
import { velibStationStatus } from './render-velib.js';
import { velibStations } from './testing/fixtures.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pmp-sim-export-'));
  dirs.push(dir);
  return dir;
}

describe('exportHistory', () => {
  it('writes one station_status file per tick, named by time, plus station_information.json', async () => {
    const dir = await tempDir();
    const progress: number[] = [];
    const result = await exportHistory({
      dir,
      from: new Date('2025-10-18T09:10:00Z'),
      to: new Date('2025-10-18T09:20:00Z'),
      everySeconds: 60,
      seed: 3,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(result.snapshots).toBe(11);
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(12);
    expect(files[0]).toBe('station_information.json');
    expect(files[1]).toBe('station_status_2025-10-18T09-10-00Z.json');
    expect(files[11]).toBe('station_status_2025-10-18T09-20-00Z.json');
    expect(progress.at(-1)).toBe(1);

    // Each file is what the model shows at its time, and the documents change over time.
    const model = new VelibModel({
      stations: velibStations().stations,
      seed: 3,
      start: new Date('2025-10-18T09:10:00Z'),
    });
    model.advanceTo(Date.parse('2025-10-18T09:15:00Z'));
    const atFive = await readFile(join(dir, 'station_status_2025-10-18T09-15-00Z.json'), 'utf8');
    expect(atFive === velibStationStatus(model)).toBe(true);
    expect(JSON.parse(atFive).lastUpdatedOther).toBe(Date.parse('2025-10-18T09:15:00Z') / 1000);
    const atSix = await readFile(join(dir, 'station_status_2025-10-18T09-16-00Z.json'), 'utf8');
    expect(atSix).not.toBe(atFive);
  });

  it('writes GBFS 2.3 documents with --gbfs 2.3', async () => {
    const dir = await tempDir();
    await exportHistory({
      dir,
      from: new Date('2025-10-18T09:10:00Z'),
      to: new Date('2025-10-18T09:10:30Z'),
      everySeconds: 10,
      format: '2.3',
    });
    expect(await readdir(dir)).toHaveLength(5);
    const info = JSON.parse(await readFile(join(dir, 'station_information.json'), 'utf8'));
    expect(info.version).toBe('2.3');
  });

  it('rejects impossible ranges and intervals before writing anything', async () => {
    const dir = join(await tempDir(), 'never-created');
    const from = new Date('2025-10-18T09:10:00Z');
    await expect(
      exportHistory({ dir, from, to: new Date('2025-10-18T09:00:00Z') }),
    ).rejects.toThrow(/to: 2025-10-18T09:00:00.000Z is before from/);
    await expect(exportHistory({ dir, from, to: from, everySeconds: 15 })).rejects.toThrow(
      /every: 15s must be a positive multiple of the model's 10s tick/,
    );
    await expect(exportHistory({ dir, from: new Date('nope'), to: from })).rejects.toThrow(/from/);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it('names files without colons and without milliseconds', () => {
    expect(snapshotFileName(Date.parse('2025-10-18T09:10:00Z'))).toBe(
      'station_status_2025-10-18T09-10-00Z.json',
    );
  });
});
