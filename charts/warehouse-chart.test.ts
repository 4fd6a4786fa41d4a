import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASETS, TABLES } from '../core/warehouse/index.js';
import { findObject, ofKind, synthChart, testConfig } from './testing/render-chart.js';
import { readMartViews, referencedTables } from './mart-views.js';
import { SQL_DIR } from '../sql/view-order.js';
import { schemaJson, WarehouseChart } from './warehouse-chart.js';

const config = testConfig('dev');
const views = [
  { tableId: 'b_view', query: 'SELECT * FROM pmp_curated.velib_station_status' },
  {
    tableId: 'a_view',
    query: 'SELECT * FROM pmp_marts.b_view JOIN pmp_ops.push_writer_dlq USING (x)',
  },
  {
    tableId: 'c_view',
    query:
      '-- materialized: true\nSELECT x, COUNT(*) AS n FROM pmp_curated.velib_station_status GROUP BY x',
    materialized: true,
  },
];
const objects = synthChart((app) => new WarehouseChart(app, 'warehouse', { config, views }));

describe('WarehouseChart', () => {
  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('renders every table of core/warehouse from its one definition', () => {
    for (const table of TABLES) {
      const spec = findObject(objects, 'BigQueryTable', table.tableId.replaceAll('_', '-')).spec;
      expect(spec.resourceID).toBe(table.tableId);
      expect(spec.datasetRef).toEqual({ name: table.datasetId.replaceAll('_', '-') });
      // The schema string round-trips to exactly the definition's fields.
      expect(JSON.parse(spec.schema)).toEqual(JSON.parse(JSON.stringify(table.fields)));
      expect(spec.timePartitioning).toEqual(table.timePartitioning);
      expect(spec.clustering).toEqual(table.clustering);
    }
  });

  it('renders each SQL file as a standard-SQL view named after the file', () => {
    const view = findObject(objects, 'BigQueryTable', 'a-view').spec;
    expect(view).toMatchObject({
      resourceID: 'a_view',
      datasetRef: { name: 'pmp-marts' },
      view: { query: views[1]!.query, useLegacySql: false },
    });
    expect(view.schema).toBeUndefined();
    expect(view.materializedView).toBeUndefined();
    expect(view.maxStaleness).toBeUndefined();
  });

  it('renders a materialized mart as a non-incremental materialized view with a staleness', () => {
    const view = findObject(objects, 'BigQueryTable', 'c-view').spec;
    expect(view).toMatchObject({
      resourceID: 'c_view',
      datasetRef: { name: 'pmp-marts' },
      materializedView: {
        query: views[2]!.query,
        enableRefresh: true,
        refreshIntervalMs: 300_000,
        allowNonIncrementalDefinition: true,
      },
      maxStaleness: '0-0 0 0:5:0',
    });
    expect(view.view).toBeUndefined();
    expect(view.schema).toBeUndefined();
  });

  it('takes the staleness from the environment: zero locally, so the local marts are never late', () => {
    const local = synthChart(
      (app) => new WarehouseChart(app, 'warehouse', { config: testConfig('local'), views }),
    );
    expect(findObject(local, 'BigQueryTable', 'c-view').spec.maxStaleness).toBe('0-0 0 0:0:0');
  });

  it('renders each sql/ file by its header: materialized marts as such, the rest as views', () => {
    const rendered = synthChart((app) => new WarehouseChart(app, 'warehouse', { config }));
    const read = readMartViews(SQL_DIR);
    expect(read.some((v) => v.materialized)).toBe(true);
    expect(read.some((v) => !v.materialized)).toBe(true);
    for (const file of read) {
      const spec = findObject(rendered, 'BigQueryTable', file.tableId.replaceAll('_', '-')).spec;
      const comments = file.query.split('\n');
      const header = comments.slice(
        0,
        comments.findIndex((l) => !l.startsWith('--')),
      );
      expect(file.materialized).toBe(header.includes('-- materialized: true'));
      if (file.materialized) {
        expect(spec.materializedView.query).toBe(file.query);
        expect(spec.view).toBeUndefined();
      } else {
        expect(spec.view.query).toBe(file.query);
        expect(spec.materializedView).toBeUndefined();
      }
    }
  });

  it('gives each dataset an access list: owners, the dashboard on marts and ops, data quality on marts', () => {
    expect(
      ofKind(objects, 'BigQueryDataset')
        .map((d) => d.spec.resourceID)
        .sort(),
    ).toEqual(Object.values(DATASETS).sort());
    const access = (dataset: string) =>
      findObject(objects, 'BigQueryDataset', dataset.replaceAll('_', '-')).spec.access;
    const dashboard = {
      role: 'roles/bigquery.dataViewer',
      userByEmail: 'pmp-dashboard@pmp-dev-paris.iam.gserviceaccount.com',
    };
    const owners = { role: 'roles/bigquery.dataOwner', specialGroup: 'projectOwners' };
    const dataQuality = {
      role: 'roles/bigquery.dataViewer',
      userByEmail: 'pmp-data-quality@pmp-dev-paris.iam.gserviceaccount.com',
    };
    expect(access(DATASETS.marts)).toEqual([owners, dashboard, dataQuality]);
    expect(access(DATASETS.ops)).toEqual([owners, dashboard]);
    // No authorised-view entries: they would block a fresh project from converging.
    expect(access(DATASETS.curated)).toEqual([owners]);
    expect(access(DATASETS.raw)).toEqual([owners]);
  });

  it('refuses two tables that would share a Kubernetes name', () => {
    const clash = [{ tableId: TABLES[0]!.tableId, query: 'SELECT 1' }];
    expect(() =>
      synthChart((app) => new WarehouseChart(app, 'w', { config, views: clash })),
    ).toThrow(/two BigQuery tables render as velib-station-status-raw/);
  });
});

describe('mart views', () => {
  it('flags a file as materialized only by its header line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'marts-'));
    writeFileSync(path.join(dir, 'm.sql'), '-- materialized: true\n-- why\nSELECT 1\n');
    writeFileSync(path.join(dir, 'p.sql'), '-- plain\nSELECT 1\n');
    writeFileSync(path.join(dir, 'q.sql'), "SELECT '-- materialized: true'\n");
    expect(readMartViews(dir).map((v) => [v.tableId, v.materialized])).toEqual([
      ['m', true],
      ['p', false],
      ['q', false],
    ]);
  });

  it('reads sql/ sorted, one view per file', () => {
    const read = readMartViews(SQL_DIR);
    const ids = read.map((v) => v.tableId);
    expect(ids).toEqual([...ids].sort());
    for (const view of read) expect(view.query.length).toBeGreaterThan(0);
  });

  it('finds the tables a query reads outside its own dataset', () => {
    expect(
      referencedTables('FROM pmp_marts.a JOIN pmp_raw.b JOIN `pmp_ops.c` x.pmp_y', 'pmp_marts'),
    ).toEqual(['pmp_ops.c', 'pmp_raw.b']);
  });

  it('renders schemas as BigQuery field JSON', () => {
    expect(
      schemaJson([{ name: 'a', type: 'RECORD', mode: 'REPEATED', description: 'd', fields: [] }]),
    ).toBe('[{"name":"a","type":"RECORD","mode":"REPEATED","description":"d","fields":[]}]');
  });
});
