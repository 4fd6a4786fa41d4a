import { describe, expect, it } from 'vitest';
import { buildEnvelope } from './envelope.js';
import { validateFeedDocument } from './gbfs/index.js';
import { statusSnapshotToRows } from './station-status.js';
import { readOpenDataSample, readVelibJson, rowByCode } from './testing/fixtures.js';
import { openDataToStationStatus, stationIdsByCode } from './velib-opendata.js';

const stationIds = stationIdsByCode(readVelibJson('station_information.json'));
const realStatus = readVelibJson('station_status.json') as {
  data: { stations: { stationCode: string }[] };
};
const realStation = (code: string) => realStatus.data.stations.find((s) => s.stationCode === code);

describe('stationIdsByCode', () => {
  it('maps every stationCode of the real station_information to its integer id', () => {
    expect(stationIds.size).toBe(1495);
    expect(stationIds.get('16107')).toBe(213688169);
    // Above 2^32: kept as the exact integer the feed sends.
    expect(stationIds.get('40001')).toBe(19179944124);
  });

  it('names what is wrong with a document that is not one', () => {
    expect(() => stationIdsByCode({ data: {} })).toThrow(/data\.stations as a list, got undefined/);
  });
});

describe('openDataToStationStatus', () => {
  it('turns the sample export into the snapshot the operator would have served', () => {
    const conversion = openDataToStationStatus({ exported: readOpenDataSample(), stationIds });
    expect(conversion).toMatchObject({ records: 6, converted: 5, unmatched: ['99901'] });
    expect(conversion.rejected).toEqual([]);
    // The newest duedate: 10:39:01 Paris time.
    expect(conversion.snapshotTime).toBe('2025-10-18T08:39:01Z');
    const document = conversion.document!;
    expect(document.lastUpdatedOther).toBe(Date.parse('2025-10-18T08:39:01Z') / 1000);
    expect(validateFeedDocument(document, 'station_status_snapshot')).toEqual({
      ok: true,
      format: 'velib',
      stationCount: 5,
    });
    // Field for field what the real station_status says about the same stations.
    for (const station of document.data.stations) {
      expect(station).toEqual(realStation(station.stationCode));
    }
  });

  it('gives curated rows keyed by the real station ids', () => {
    const { document } = openDataToStationStatus({ exported: readOpenDataSample(), stationIds });
    const envelope = buildEnvelope({
      document,
      source: 'velib',
      eventType: 'station_status_snapshot',
      ingestTs: new Date('2025-10-18T08:40:00Z'),
    });
    const rows = statusSnapshotToRows(envelope);
    expect(rows).toHaveLength(5);
    expect(rowByCode(rows, '31203')).toMatchObject({
      station_id: '20431381973',
      event_ts: '2025-10-18T08:39:01Z',
      is_installed: 0,
      num_bikes_available: 0,
    });
    expect(rowByCode(rows, '40001')).toMatchObject({
      mechanical_available: 12,
      ebike_available: 8,
      last_reported_ts: '2025-10-18T08:39:01Z',
    });
  });

  it('takes a given snapshot time over the duedates', () => {
    const conversion = openDataToStationStatus({
      exported: readOpenDataSample(),
      stationIds,
      snapshotTime: new Date('2025-10-18T08:45:00Z'),
    });
    expect(conversion.snapshotTime).toBe('2025-10-18T08:45:00Z');
    expect(conversion.document!.lastUpdatedOther).toBe(Date.parse('2025-10-18T08:45:00Z') / 1000);
  });

  it('accounts for every record: converted, unmatched or rejected with the field at fault', () => {
    const sample = readOpenDataSample();
    const exported = [
      ...sample,
      { ...sample[0], stationcode: '16107' },
      { ...sample[3], is_renting: 'PEUT-ÊTRE' },
      { ...sample[4], numbikesavailable: 'beaucoup' },
      { ...sample[1], stationcode: '' },
      'not a record',
    ];
    // Drop the originals of the two altered records, so their codes appear once.
    exported.splice(3, 2);
    const conversion = openDataToStationStatus({ exported, stationIds });
    expect(conversion.records).toBe(exported.length);
    expect(conversion.converted + conversion.unmatched.length + conversion.rejected.length).toBe(
      exported.length,
    );
    expect(conversion.converted).toBe(3);
    expect(conversion.rejected).toEqual([
      { index: 4, stationCode: '16107', reason: 'stationcode appears twice' },
      {
        index: 5,
        stationCode: '5110',
        reason: 'is_renting must be "OUI" or "NON", got "PEUT-ÊTRE"',
      },
      {
        index: 6,
        stationCode: '13123',
        reason: 'numbikesavailable must be a count, got "beaucoup"',
      },
      { index: 7, stationCode: null, reason: 'stationcode is missing' },
      { index: 8, stationCode: null, reason: 'not an object: string' },
    ]);
  });

  it('reads an API page ({results}) and gives no snapshot when nothing converts', () => {
    const unknown = readOpenDataSample().filter((r) => r.stationcode === '99901');
    const conversion = openDataToStationStatus({ exported: { results: unknown }, stationIds });
    expect(conversion).toMatchObject({ records: 1, converted: 0, document: null });
    expect(() => openDataToStationStatus({ exported: { stations: [] }, stationIds })).toThrow(
      /must be a JSON array of records \(or \{results: \[\.\.\.\]\}\), got object/,
    );
  });
});
