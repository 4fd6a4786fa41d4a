import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { insertAllRow, partialFailureRows } from './insert-all-row.js';

describe('insertAllRow', () => {
  // The helpers the official client runs on every request, resolved as the client resolves them.
  const fromClient = createRequire(
    createRequire(import.meta.url).resolve('@google-cloud/bigquery'),
  );
  const fromCommon = createRequire(fromClient.resolve('@google-cloud/common'));
  const extend = fromClient('extend') as (
    deep: boolean,
    ...objects: object[]
  ) => { rows: unknown[] };
  const { replaceProjectIdToken } = fromCommon('@google-cloud/projectify') as {
    replaceProjectIdToken: (value: unknown, projectId: string) => { rows: unknown[] };
  };
  const json = { station_id: '213688169', raw_station_json: '{"a":"{{projectId}}"}' };

  it('is passed by reference through the client’s deep copy and token walk', () => {
    const row = insertAllRow('m-1:213688169', json);
    const copied = extend(true, {}, { skipInvalidRows: true }, { rows: [row] });
    expect(copied.rows[0]).toBe(row);
    const walked = replaceProjectIdToken({ rows: [row] }, 'pmp-local');
    expect(walked.rows[0]).toBe(row);
    expect(row.json.raw_station_json).toBe('{"a":"{{projectId}}"}');
    // A plain object is what the client would otherwise copy: the guard above can fail.
    const plain = { insertId: 'm-1:213688169', json };
    expect(extend(true, {}, { rows: [plain] }).rows[0]).not.toBe(plain);
  });

  it('serializes exactly like the plain row', () => {
    expect(JSON.stringify([insertAllRow('m-1:213688169', json)])).toBe(
      JSON.stringify([{ insertId: 'm-1:213688169', json }]),
    );
    expect(JSON.stringify(insertAllRow(null, json))).toBe(JSON.stringify({ json }));
  });
});

describe('partialFailureRows', () => {
  // The client's own error class, resolved as the client resolves it.
  const fromClient = createRequire(
    createRequire(import.meta.url).resolve('@google-cloud/bigquery'),
  );
  const { util } = fromClient('@google-cloud/common') as {
    util: { PartialFailureError: new (options: { errors: unknown[]; response: unknown }) => Error };
  };

  it('hands back the rows and reasons of the client’s PartialFailureError', () => {
    const row = insertAllRow('m-1:42', { station_id: '42' });
    const error = new util.PartialFailureError({
      errors: [{ row, errors: [{ message: 'no such field', reason: 'invalid' }] }, { row }],
      response: {},
    });
    expect(partialFailureRows(error)).toEqual([
      { row, errors: [{ message: 'no such field', reason: 'invalid' }] },
      { row, errors: [] },
    ]);
    expect(partialFailureRows(error)![0]!.row).toBe(row);
  });

  it('answers null for any other failure, so the caller takes its other path', () => {
    expect(partialFailureRows(new Error('socket hang up'))).toBeNull();
    expect(partialFailureRows(null)).toBeNull();
    expect(partialFailureRows({ name: 'PartialFailureError' })).toBeNull();
  });
});
