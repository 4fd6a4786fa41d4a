import { isAscii } from 'node:buffer';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { invalid } from '../errors.js';

/** insertAll bodies of 10,000 rows with raw JSON run to megabytes; BigQuery's own cap is 10 MB. */
const MAX_BODY = '64mb';

/** The request body as a JSON object (`{}` when empty); malformed JSON is a 400 `invalid`. */
export async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  return parseJsonBody(await readRawBody(ctx));
}

/** The request body's bytes, for handlers that read them without `JSON.parse` first. */
export async function readRawBody(ctx: Context): Promise<Buffer> {
  return getRawBody(ctx.req, { limit: MAX_BODY });
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A body's bytes as a JSON object: UTF-8 (a leading byte-order mark skipped), `{}` when empty. */
export function parseJsonBody(raw: Buffer): Record<string, unknown> {
  const start = raw.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
  // ASCII (JSON encoders escape the rest, and most bodies are) decodes as Latin-1: the same
  // string, without UTF-8 decoding of megabytes of insertAll rows.
  const text = isAscii(raw) ? raw.toString('latin1', start) : raw.toString('utf8', start);
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('Invalid JSON payload received: the body must be an object.');
  }
  return body as Record<string, unknown>;
}

/** A path parameter (router guarantees presence for its routes). */
export function param(ctx: Context & { params?: Record<string, string> }, name: string): string {
  const value = ctx.params?.[name];
  if (value === undefined) throw invalid(`Missing path parameter ${name}`);
  return decodeURIComponent(value);
}

export function queryString(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

export function queryInt(ctx: Context, name: string): number | undefined {
  const text = queryString(ctx, name);
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw invalid(`Invalid value for ${name}: ${text}`);
  return value;
}

export function queryBool(ctx: Context, name: string): boolean | undefined {
  const text = queryString(ctx, name);
  return text === undefined ? undefined : text === 'true' || text === '1';
}

/** Query results' page tokens are row offsets (a finished query's rows never change), opaque to clients. */
export function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalid(`Invalid page token: ${token}`);
  return Number(match[1]);
}

/** One page of a resource list (datasets, tables, jobs), as `pageToken` and `maxResults` ask. */
export interface ListPage<T> {
  readonly items: T[];
  /** `{ nextPageToken }` while more items follow, else `{}`: spread last into the response. */
  readonly next: { nextPageToken?: string };
}

/** Items a resource list page holds when the request sets no maxResults (or 0). */
const DEFAULT_LIST_PAGE = 1000;

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A resource list's page token names the position of the last item shown, not an offset (query
 * results keep offsets: they never change): a dataset, table or job created or deleted between
 * two calls then neither repeats nor skips one that was there all along.
 */
function encodeListToken(position: string): string {
  return Buffer.from(`after:${position}`).toString('base64url');
}

function decodeListToken(token: string | undefined): string | null {
  if (token === undefined || token === '') return null;
  const match = /^after:(.+)$/s.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw invalid(`Invalid page token: ${token}`);
  return match[1]!;
}

/**
 * The page of `all` a list request asks for: the items in code-unit order of `positionOf`, from
 * after its `pageToken`, `maxResults` of them. A maxResults of 0 asks for the default page, as
 * Google's list APIs read an unset page size: an empty page with a token to the same place would
 * send a client that follows tokens round forever.
 */
export function listPage<T>(
  ctx: Context,
  all: readonly T[],
  positionOf: (item: T) => string,
): ListPage<T> {
  const after = decodeListToken(queryString(ctx, 'pageToken'));
  const maxResults = queryInt(ctx, 'maxResults') || DEFAULT_LIST_PAGE;
  // Each item's position once: jobs.list's is built from the job, and a sort compares n log n times.
  const sorted = all
    .map((item) => ({ item, position: positionOf(item) }))
    .sort((a, b) => byCodeUnits(a.position, b.position));
  const next = after === null ? 0 : sorted.findIndex(({ position }) => position > after);
  const from = next === -1 ? sorted.length : next;
  const page = sorted.slice(from, from + maxResults);
  const more = from + maxResults < sorted.length;
  return {
    items: page.map(({ item }) => item),
    next: more ? { nextPageToken: encodeListToken(page[page.length - 1]!.position) } : {},
  };
}

/** The first row a row page (tabledata.list, getQueryResults) asks for: its token, else `startIndex`. */
export function firstRowOf(ctx: Context): number {
  const token = queryString(ctx, 'pageToken');
  return token ? decodePageToken(token) : (queryInt(ctx, 'startIndex') ?? 0);
}

export function etag(): string {
  return Buffer.from(String(Math.random())).toString('base64').slice(0, 22);
}

const ID = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}$]{1,1024}$/u;

export function checkDatasetId(id: unknown): string {
  if (typeof id !== 'string' || !ID.test(id)) {
    throw invalid(
      `Invalid dataset ID "${String(id)}". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`,
    );
  }
  return id;
}

export function checkTableId(id: unknown): string {
  if (typeof id !== 'string' || !TABLE_ID.test(id) || id.includes('$')) {
    throw invalid(`Invalid table ID "${String(id)}".`);
  }
  return id;
}
