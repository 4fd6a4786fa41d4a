import type { BigQuery } from '@google-cloud/bigquery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQueryEmulator } from './index.js';
import { startWithClient } from './testing/client.js';

// datasets.list, tables.list and jobs.list share one page of a list (listPage in
// handlers/_request.ts). The official client drives them; a raw fetch sends only what its types
// refuse (a maxResults that is not a number).
let emulator: BigQueryEmulator;
let bigquery: BigQuery;

/** Created out of order, so the pages show the list's own order (by id), not creation order. */
const DATASET_IDS = ['page_e', 'page_b', 'page_g', 'page_a', 'page_f', 'page_c', 'page_d'];
const TABLE_IDS = ['t5', 't2', 't6', 't1', 't4', 't3'];
const JOB_COUNT = 5;
const createdJobIds: string[] = [];

beforeAll(async () => {
  ({ emulator, bigquery } = await startWithClient());
  for (const id of DATASET_IDS) await bigquery.createDataset(id);
  const tableSchema = { schema: { fields: [{ name: 'x', type: 'INT64' }] } };
  for (const id of TABLE_IDS) await bigquery.dataset('page_a').createTable(id, tableSchema);
  for (let i = 0; i < JOB_COUNT; i++) {
    const [job] = await bigquery.createQueryJob({ query: `SELECT ${i} AS n` });
    createdJobIds.push(String(job.id));
  }
});

afterAll(async () => {
  await emulator.close();
});

interface PageOptions {
  maxResults?: number;
  pageToken?: string;
  autoPaginate?: boolean;
}

/** What each of the client's list calls answers: the items, the next query, the raw response. */
type ListCall = (
  options: PageOptions,
) => Promise<readonly [readonly { id?: string }[], ...unknown[]]>;

interface ResourceList {
  readonly name: string;
  readonly path: string;
  readonly call: ListCall;
  /** Every item's id, in the order the list promises. */
  readonly expected: () => string[];
}

const LISTS: readonly ResourceList[] = [
  {
    name: 'datasets.list',
    path: 'datasets',
    call: (options) => bigquery.getDatasets(options),
    expected: () => [...DATASET_IDS].sort(),
  },
  {
    name: 'tables.list',
    path: 'datasets/page_a/tables',
    call: (options) => bigquery.dataset('page_a').getTables(options),
    expected: () => [...TABLE_IDS].sort(),
  },
  {
    // Newest first, as the 'jobs.list order' test reads it before the paging tests run.
    name: 'jobs.list',
    path: 'jobs',
    call: (options) => bigquery.getJobs(options),
    expected: () => jobIdsNewestFirst(),
  },
];

let jobOrder: string[] | undefined;
function jobIdsNewestFirst(): string[] {
  if (!jobOrder) throw new Error('the jobs test reads the order first');
  return jobOrder;
}

interface WalkedPage {
  readonly ids: string[];
  readonly nextPageToken: string | undefined;
  readonly clientHasNext: boolean;
}

/** One page after another with `autoPaginate: false`, following each nextPageToken by hand. */
async function walkPages(list: ResourceList, maxResults: number): Promise<WalkedPage[]> {
  const pages: WalkedPage[] = [];
  let pageToken: string | undefined;
  do {
    const [items, nextQuery, response] = await list.call({
      maxResults,
      autoPaginate: false,
      ...(pageToken !== undefined ? { pageToken } : {}),
    });
    pageToken = (response as { nextPageToken?: string }).nextPageToken;
    pages.push({
      ids: items.map((item) => String(item.id)),
      nextPageToken: pageToken,
      clientHasNext: nextQuery !== null,
    });
    if (pages.length > 50) throw new Error(`${list.name} never ends`);
  } while (pageToken !== undefined);
  return pages;
}

/** The sizes `count` items fall into, `maxResults` a page. */
function pageSizes(count: number, maxResults: number): number[] {
  const sizes: number[] = [];
  for (let left = count; left > 0; left -= maxResults) sizes.push(Math.min(left, maxResults));
  return sizes;
}

/**
 * Makes every list request the client sends from now on ask for `maxResults` items a page, with a
 * request interceptor (the client's own hook): its autoPaginate sends no page size of its own
 * (a `maxResults` option turns autoPaginate off and caps the total instead).
 */
function pageSizeOnTheWire(client: BigQuery, maxResults: number) {
  const pageTokens: (string | undefined)[] = [];
  type Interceptor = BigQuery['interceptors'][number];
  const interceptor: Interceptor = {
    request: (options) => {
      const decorated = options as ReturnType<Interceptor['request']> & { qs?: PageOptions };
      pageTokens.push(decorated.qs?.pageToken);
      return { ...decorated, qs: { ...decorated.qs, maxResults } };
    },
  };
  client.interceptors.push(interceptor);
  return {
    pageTokens,
    stop: () => void client.interceptors.splice(client.interceptors.indexOf(interceptor), 1),
  };
}

describe('jobs.list order', () => {
  it('lists every job newest first', async () => {
    const [jobs] = await bigquery.getJobs();
    jobOrder = jobs.map((job) => String(job.id));
    expect([...jobOrder].sort()).toEqual([...createdJobIds].sort());
    const created = jobs.map((job) => Number(job.metadata?.statistics?.creationTime));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });
});

describe.each(LISTS)('$name paging', (list) => {
  it.each([1, 2, 4, 6, 7, 50])(
    'gives pages of maxResults %i in order, a nextPageToken on all but the last',
    async (maxResults) => {
      const expected = list.expected();
      const pages = await walkPages(list, maxResults);
      expect(pages.map((page) => page.ids.length)).toEqual(pageSizes(expected.length, maxResults));
      expect(pages.flatMap((page) => page.ids)).toEqual(expected);
      const last = pages.length - 1;
      pages.forEach((page, i) => {
        expect(typeof page.nextPageToken === 'string' && page.nextPageToken !== '').toBe(i < last);
        expect(page.clientHasNext).toBe(i < last);
      });
    },
  );

  it('reads maxResults 0 as the default page size, so following the tokens ends', async () => {
    // The client sends 0 as "no limit" and follows nextPageToken until there is none.
    const pages = await walkPages(list, 0);
    expect(pages).toEqual([
      { ids: list.expected(), nextPageToken: undefined, clientHasNext: false },
    ]);
  });

  it('gives the same pages each time it is walked', async () => {
    expect(await walkPages(list, 2)).toEqual(await walkPages(list, 2));
  });

  it('returns every item exactly once with autoPaginate, however many pages it takes', async () => {
    const [all] = await list.call({});
    expect(all.map((item) => String(item.id))).toEqual(list.expected());

    const wire = pageSizeOnTheWire(bigquery, 2);
    try {
      const [paged] = await list.call({ autoPaginate: true });
      expect(paged.map((item) => String(item.id))).toEqual(list.expected());
    } finally {
      wire.stop();
    }
    expect(wire.pageTokens).toHaveLength(Math.ceil(list.expected().length / 2));
    expect(wire.pageTokens[0]).toBeUndefined();
    expect(new Set(wire.pageTokens.slice(1)).size).toBe(wire.pageTokens.length - 1);
  });

  it('answers 400 invalid naming a page token it did not hand out', async () => {
    const notAnOffset = Buffer.from('offset:-1').toString('base64url');
    for (const pageToken of ['not-a-page-token', notAnOffset]) {
      await expect(list.call({ pageToken, autoPaginate: false })).rejects.toMatchObject({
        code: 400,
        message: `Invalid page token: ${pageToken}`,
        errors: [expect.objectContaining({ reason: 'invalid' })],
      });
    }
  });

  it('answers 400 invalid naming a maxResults that is not a count', async () => {
    for (const maxResults of [-1, 2.5]) {
      await expect(list.call({ maxResults, autoPaginate: false })).rejects.toMatchObject({
        code: 400,
        message: `Invalid value for maxResults: ${maxResults}`,
        errors: [expect.objectContaining({ reason: 'invalid' })],
      });
    }
    const url = `${emulator.url}/projects/test-project/${list.path}?maxResults=ten`;
    const response = await fetch(url);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: {
        code: 400,
        message: 'Invalid value for maxResults: ten',
        errors: [expect.objectContaining({ reason: 'invalid' })],
      },
    });
  });
});

describe('list page tokens', () => {
  // Last in the file, and removed after: the lists above see exactly their own items.
  const datasetId = 'zz_page_changes';

  it('name the last item shown: a list changed between two calls skips and repeats nothing that stayed', async () => {
    const [dataset] = await bigquery.createDataset(datasetId);
    try {
      const schema = { schema: { fields: [{ name: 'x', type: 'INT64' }] } };
      for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await dataset.createTable(id, schema);
      const [first, , firstResponse] = await dataset.getTables({
        maxResults: 2,
        autoPaginate: false,
      });
      expect(first.map((t) => t.id)).toEqual(['c1', 'c2']);
      await dataset.table('c1').delete();
      await dataset.table('c2').delete();
      await dataset.createTable('c0', schema);
      const pageToken = (firstResponse as { nextPageToken?: string }).nextPageToken;
      const [second] = await dataset.getTables({ maxResults: 2, pageToken, autoPaginate: false });
      // An offset token (2) would now answer c4 and c5, and c3 would never be seen.
      expect(second.map((t) => t.id)).toEqual(['c3', 'c4']);
    } finally {
      await dataset.delete({ force: true });
    }
  });
});
