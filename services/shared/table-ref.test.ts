import { describe, expect, it } from 'vitest';
import { parseTableRef } from './table-ref.js';

describe('parseTableRef', () => {
  it.each([
    ['pmp_ops.push_writer_dlq', { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' }],
    ['my-proj.pmp_ops.t', { projectId: 'my-proj', datasetId: 'pmp_ops', tableId: 't' }],
    ['my-proj:pmp_ops.t', { projectId: 'my-proj', datasetId: 'pmp_ops', tableId: 't' }],
    ['example.com:proj.d.t', { projectId: 'example.com:proj', datasetId: 'd', tableId: 't' }],
  ])('reads %s', (text, expected) => {
    expect(parseTableRef(text)).toEqual(expected);
  });

  it.each(['just_a_table', 'a.b.c.d', 'd.t-x', ''])('refuses "%s"', (text) => {
    expect(() => parseTableRef(text)).toThrow(/expected dataset\.table/);
  });
});
