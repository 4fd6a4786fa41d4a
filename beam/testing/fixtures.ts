import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEnvelope, type EventType } from '../../core/index.js';

/** The repository root, and the read-only shared data beside it (`../shared`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const velibData = resolve(repoRoot, '../shared/data/velib');

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(resolve(velibData, name), 'utf8')) as unknown;
}

/** The real snapshots: the main 2025 fixture and the 2022 and 2024 extras. */
export const STATUS_FIXTURES = [
  'station_status.json',
  'extra/station_status_2022-02-23.json',
  'extra/station_status_2024-11-19.json',
] as const;

/** A fixture wrapped in the collector's envelope, as one NDJSON line. */
export function envelopeLine(
  fixture: string,
  eventType: EventType = 'station_status_snapshot',
  ingestTs = new Date('2025-10-18T09:10:00Z'),
): string {
  return JSON.stringify(
    buildEnvelope({ document: readJson(fixture), source: 'velib', eventType, ingestTs }),
  );
}

/**
 * What the streaming tests publish: the real snapshots, one snapshot of another event type (ignored)
 * and two poison messages (a line that is not JSON, an envelope without payload), which end as two
 * parse_normalize DLQ records. `rows` is the station rows the snapshots hold.
 */
export const STREAM_WITH_POISON = {
  messages: (): string[] => [
    ...STATUS_FIXTURES.map((f) => envelopeLine(f)),
    envelopeLine('station_information.json', 'station_information_snapshot'),
    '{not json',
    JSON.stringify({ ingest_ts: '2025-10-18T09:10:00Z', source: 'velib' }),
  ],
  rows: 1495 + 1439 + 1485,
} as const;

/**
 * Real snapshots, one of another event type, and corrupted variants of each kind a queue delivers:
 * every line here must end as rows, one DLQ record, or an ignored snapshot.
 */
export function mixedInputLines(): Uint8Array[] {
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  const good = STATUS_FIXTURES.map((f) => envelopeLine(f));
  const main = JSON.parse(good[0]!) as Record<string, unknown> & {
    payload: { data: { stations: Record<string, unknown>[] } };
  };
  const someBadStations = structuredClone(main);
  const stations = someBadStations.payload.data.stations;
  delete stations[0]!.station_id;
  stations[1]!.num_bikes_available = 'lots';
  stations[2]!.last_reported = 'yesterday';
  stations[3] = 'not a station' as unknown as Record<string, unknown>;
  const { ingest_ts: _dropped, ...noIngest } = main;
  return [
    ...good.map(text),
    text(envelopeLine('station_information.json', 'station_information_snapshot')),
    text(JSON.stringify(someBadStations)),
    text('{bad json'),
    text(good[0]!.slice(0, 5_000)),
    text(JSON.stringify(noIngest)),
    text(JSON.stringify({ ...main, payload: { data: { stations: 'x' } } })),
    text(JSON.stringify({ ...main, payload: { data: null } })),
    text('[1,2,3]'),
    text('42'),
    new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
  ];
}
