import { describe, expect, it } from 'vitest';
import { DATASETS, TABLES } from '../core/warehouse/index.js';
import { findObject, ofKind, synthChart, testConfig } from './_testing.js';
import { readMartViews, referencedDatasets } from './mart-views.js';
import { SQL_DIR } from '../cdk8s/paths.js';
import { schemaJson, WarehouseChart } from './warehouse-chart.js';

const config = testConfig('dev');
const views = [
  { tableId: 'b_view', query: 'SELECT * FROM pmp_curated.velib_station_status' },
  {
    tableId: 'a_view',
    query: 'SELECT * FROM pmp_marts.b_view JOIN pmp_ops.push_writer_dlq USING (x)',
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
  });

  it('gives each dataset an access list: owners, the dashboard, and authorised views', () => {
    expect(
      ofKind(objects, 'BigQueryDataset')
        .map((d) => d.spec.resourceID)
        .sort(),
    ).toEqual(Object.values(DATASETS).sort());
    const access = (dataset: string) =>
      findObject(objects, 'BigQueryDataset', dataset.replaceAll('_', '-')).spec.access;
    for (const dataset of Object.values(DATASETS)) {
      expect(access(dataset)[0]).toEqual({
        role: 'roles/bigquery.dataOwner',
        specialGroup: 'projectOwners',
      });
    }
    expect(access(DATASETS.marts)).toContainEqual({
      role: 'roles/bigquery.dataViewer',
      userByEmail: 'pmp-dashboard@pmp-dev-paris.iam.gserviceaccount.com',
    });
    expect(access(DATASETS.curated)).toContainEqual({
      view: { projectId: 'pmp-dev-paris', datasetId: 'pmp_marts', tableId: 'b_view' },
    });
    expect(access(DATASETS.ops)).toContainEqual({
      view: { projectId: 'pmp-dev-paris', datasetId: 'pmp_marts', tableId: 'a_view' },
    });
    expect(JSON.stringify(access(DATASETS.raw))).not.toContain('"view"');
  });

  it('refuses two tables that would share a Kubernetes name', () => {
    const clash = [{ tableId: TABLES[0]!.tableId, query: 'SELECT 1' }];
    expect(() =>
      synthChart((app) => new WarehouseChart(app, 'w', { config, views: clash })),
    ).toThrow(/two BigQuery tables render as velib-station-status-raw/);
  });
});

describe('mart views', () => {
  it('reads sql/ sorted, one view per file', () => {
    const read = readMartViews(SQL_DIR);
    const ids = read.map((v) => v.tableId);
    expect(ids).toEqual([...ids].sort());
    for (const view of read) expect(view.query.length).toBeGreaterThan(0);
  });

  it('finds the datasets a query reads, except its own', () => {
    expect(
      referencedDatasets('FROM pmp_marts.a JOIN pmp_raw.b JOIN `pmp_ops.c` x.pmp_y', 'pmp_marts'),
    ).toEqual(['pmp_ops', 'pmp_raw']);
  });

  it('renders schemas as BigQuery field JSON', () => {
    expect(
      schemaJson([{ name: 'a', type: 'RECORD', mode: 'REPEATED', description: 'd', fields: [] }]),
    ).toBe('[{"name":"a","type":"RECORD","mode":"REPEATED","description":"d","fields":[]}]');
  });
});
