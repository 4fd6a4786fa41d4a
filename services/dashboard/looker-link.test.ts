import { describe, expect, it } from 'vitest';
import { LOOKER_MART_TABLES, lookerStudioLink } from './looker-link.js';
import { readMartViews } from '../../sql/view-order.js';

describe('Looker Studio link', () => {
  it('configures one BigQuery table data source per mart, with the template report', () => {
    const url = new URL(lookerStudioLink({ projectId: 'pmp-prod-paris', reportId: 'abc-123' }));
    expect(url.origin + url.pathname).toBe('https://lookerstudio.google.com/reporting/create');
    const p = url.searchParams;
    expect(p.get('c.reportId')).toBe('abc-123');
    expect(p.get('ds.ds0.connector')).toBe('bigQuery');
    expect(p.get('ds.ds0.type')).toBe('TABLE');
    expect(p.get('ds.ds0.projectId')).toBe('pmp-prod-paris');
    expect(p.get('ds.ds0.datasetId')).toBe('pmp_marts');
    expect(p.get('ds.ds0.tableId')).toBe('velib_totals_hourly_paris');
    expect(p.get(`ds.ds${LOOKER_MART_TABLES.length - 1}.tableId`)).toBe(LOOKER_MART_TABLES.at(-1));
    expect(p.get(`ds.ds${LOOKER_MART_TABLES.length}.tableId`)).toBeNull();
  });

  it('links only views that exist in sql/', () => {
    const views = new Set(readMartViews().map((v) => v.tableId));
    for (const table of LOOKER_MART_TABLES) expect(views.has(table), table).toBe(true);
  });

  it('starts a blank report without a template, and refuses bad identifiers', () => {
    expect(new URL(lookerStudioLink({ projectId: 'p-1' })).searchParams.has('c.reportId')).toBe(
      false,
    );
    expect(() => lookerStudioLink({ projectId: 'p&x=1' })).toThrow(/projectId/);
    expect(() => lookerStudioLink({ projectId: 'p', tables: [] })).toThrow(/at least one/);
  });
});
