import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../core/testing/fixtures.js';
import {
  startBigQueryEmulator,
  type BigQueryEmulator,
} from '../../local/bigquery-emulator/index.js';
import { insertHistory, simulatedHistory } from '../../sql/testing/simulated-history.js';
import { createWarehouse, emulatorClient } from '../../sql/testing/warehouse.js';
import type { BigQuery } from '@google-cloud/bigquery';
import { silentLogger } from '../../runtime/logger.js';
import { readAssertions, recordRun, runAssertions } from '../data-quality/index.js';
import { startDashboard, type RunningDashboard } from './index.js';

// The page in Debian's headless Chromium against the BigQuery emulator, fed with curated rows that
// core made from simulator documents: 18 hourly snapshots of the 1,495 real stations.
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(repoRoot, 'test-artifacts');
const SNAPSHOTS = 18;
const HISTORY_START = new Date('2025-10-20T04:00:00Z'); // Monday 06:00 in Paris

let emulator: BigQueryEmulator;
let dashboard: RunningDashboard;
let browser: Browser;
let stationCount: number;

beforeAll(async () => {
  emulator = await startBigQueryEmulator({ port: 0, log: silentLogger() });
  const bigquery = emulatorClient(emulator.url, 'dash-browser');
  stationCount = await seedHourlyHistory(bigquery, SNAPSHOTS);
  const dlq = bigquery.dataset('pmp_ops');
  await dlq.table('velib_station_status_curated_dlq').insert([
    {
      dlq_ts: new Date().toISOString(),
      stage: 'parse_normalize',
      error_type: 'StageError',
      error_message: 'not JSON',
      raw: '{',
      event_meta: null,
      row_json: null,
      bq_errors: null,
    },
  ]);
  await recordQualityRuns(bigquery);
  dashboard = await startDashboard({
    port: 0,
    projectId: 'dash-browser',
    bigquery,
    log: silentLogger(),
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 120_000);

/** A warehouse holding `hours` hourly snapshots of the real station list; the station count. */
async function seedHourlyHistory(bigquery: BigQuery, hours: number): Promise<number> {
  await createWarehouse(bigquery);
  const history = simulatedHistory({ start: HISTORY_START, snapshots: hours, everyMinutes: 60 });
  await insertHistory(bigquery, history);
  return history.stationCount;
}

/**
 * Two real data-quality runs over the seeded history, which has no raw rows: five minutes after the
 * last snapshot (fresh) and an hour after it (stale). The panel then shows curated_fresh failing
 * but last passed at the first run, and curated_snapshot_has_raw never having passed.
 */
const FIRST_RUN = new Date(HISTORY_START.getTime() + (SNAPSHOTS - 1) * 3_600_000 + 5 * 60_000);
const SECOND_RUN = new Date(HISTORY_START.getTime() + SNAPSHOTS * 3_600_000);
async function recordQualityRuns(bigquery: BigQuery): Promise<void> {
  const assertions = readAssertions();
  for (const now of [FIRST_RUN, SECOND_RUN]) {
    await recordRun(bigquery, await runAssertions({ bigquery, assertions, now }), 'scheduler');
  }
}

/** Upper bound of a bar's width in the hourly charts (charts.js MAX_BAR_WIDTH, plus rounding). */
const MAX_BAR_WIDTH_PX = 28.5;

let screenshotDir: string | undefined;
/** One temporary directory per run for the chart screenshots at each history length. */
function chartScreenshotDir(): string {
  screenshotDir ??= mkdtempSync(path.join(tmpdir(), 'pmp-dashboard-charts-'));
  return screenshotDir;
}

interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly width: number;
  readonly height: number;
}

/** The client-space box of every element the locator matches, as the user sees it drawn. */
function boxesOf(locator: Locator): Promise<Box[]> {
  return locator.evaluateAll((els) =>
    els.map((el) => {
      const { left, top, right, bottom, width, height } = el.getBoundingClientRect();
      return { left, top, right, bottom, width, height };
    }),
  );
}

async function boxOf(locator: Locator): Promise<Box> {
  const [box, ...more] = await boxesOf(locator);
  expect(more, 'one element').toEqual([]);
  return box!;
}

function expectInside(inner: readonly Box[], outer: Box, what: string): void {
  const rounding = 0.5;
  inner.forEach((box, i) => {
    expect(box.left, `${what} #${i} left`).toBeGreaterThanOrEqual(outer.left - rounding);
    expect(box.right, `${what} #${i} right`).toBeLessThanOrEqual(outer.right + rounding);
    expect(box.top, `${what} #${i} top`).toBeGreaterThanOrEqual(outer.top - rounding);
    expect(box.bottom, `${what} #${i} bottom`).toBeLessThanOrEqual(outer.bottom + rounding);
  });
}

/** Points one series draws: the vertices of its line, or its lone marker when it has one point. */
async function marksOf(chart: Locator, key: string): Promise<number> {
  const lines = await chart
    .locator(`polyline.line[data-key="${key}"]`)
    .evaluateAll((els) => els.map((e) => e.getAttribute('points')!.trim().split(/\s+/).length));
  const markers = await chart.locator(`circle.marker[data-key="${key}"]`).count();
  return lines.reduce((sum, n) => sum + n, 0) + markers;
}

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await emulator?.close();
});

// A developer without Debian's chromium may skip this; CI installs it, so there it must run.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('dashboard in headless Chromium', () => {
  it('shows KPIs, one marker per station, the charts, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1250 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(dashboard.url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });

    expect(stationCount).toBe(1495);
    expect(await page.locator('circle[data-station-id]').count()).toBe(stationCount);
    const ids = await page
      .locator('circle[data-station-id]')
      .evaluateAll((els) => new Set(els.map((e) => e.getAttribute('data-station-id'))).size);
    expect(ids).toBe(stationCount);

    for (const name of [
      'mechanical',
      'ebike',
      'docks',
      'reporting',
      'empty',
      'full',
      'freshness',
    ]) {
      const text = (await page.getByTestId(`kpi-${name}`).textContent())?.trim() ?? '';
      expect(text, name).not.toBe('–');
      expect(text, name).not.toBe('');
    }
    // One meaning, named on the card: every simulated station is in the newest snapshot.
    expect(await page.getByTestId('kpi-reporting-title').textContent()).toBe(
      'Stations in latest snapshot',
    );
    expect(await page.getByTestId('kpi-reporting').textContent()).toBe('1,495');
    const mechanical = Number(
      (await page.getByTestId('kpi-mechanical').textContent())!.replace(/\D/g, ''),
    );
    expect(mechanical).toBeGreaterThan(1000);

    // Charts drawn: lines with one point per hour, heat-map cells for the hours seen.
    const points = await page
      .locator('[data-testid="chart-bikes"] polyline.line')
      .first()
      .getAttribute('points');
    expect(points!.trim().split(/\s+/)).toHaveLength(SNAPSHOTS);
    expect(await page.locator('[data-testid="chart-empty"] rect.bar').count()).toBe(SNAPSHOTS);
    expect(await page.locator('[data-testid="chart-coverage"] polyline.line').count()).toBe(1);
    const filled = await page
      .locator('[data-testid="heatmap"] rect.cell')
      .evaluateAll((els) => els.filter((e) => e.getAttribute('fill') !== '#16212d').length);
    expect(filled).toBe(SNAPSHOTS);
    expect(await page.locator('[data-testid="alerts"] li').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="dlq"] tbody tr').count()).toBe(1);

    // Data quality: the latest result of every assertion, failures first, and when each passed.
    const quality = page.locator('[data-testid="quality"] tbody tr');
    expect(await quality.count()).toBe(readAssertions().length);
    const cells = async (name: string) =>
      (
        await page
          .locator(`[data-testid="quality"] tr[data-assertion="${name}"] td`)
          .allTextContents()
      ).map((t) => t.trim());
    const paris = (d: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
      }).format(d);
    expect(await cells('curated_snapshot_has_raw')).toEqual([
      'curated_snapshot_has_raw',
      'failed',
      String(SNAPSHOTS),
      'never',
    ]);
    expect(await cells('curated_fresh')).toEqual([
      'curated_fresh',
      'failed',
      '1',
      paris(FIRST_RUN),
    ]);
    expect(await cells('curated_bike_types_add_up')).toEqual([
      'curated_bike_types_add_up',
      'passed',
      '0',
      paris(SECOND_RUN),
    ]);
    expect(await quality.first().getAttribute('data-result')).toBe('failed');
    expect(await quality.last().getAttribute('data-result')).toBe('passed');

    // A tooltip per station.
    await page.locator('circle[data-station-id]').nth(700).hover({ force: true });
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    expect(await page.locator('#tooltip').textContent()).toMatch(/mechanical\s*\d+/);
    await page.mouse.move(0, 0);

    // Nothing fetched from anywhere but the dashboard itself.
    expect(requests.filter((u) => !u.startsWith(dashboard.url))).toEqual([]);
    expect(problems).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  // A first start has one hour of data, then two: the charts must stay inside their panels and
  // draw something at every size (one hour once drew a bar across the next panel and no line).
  it.each([1, 2, 24])(
    'draws the hourly charts inside their panels with %i hour(s)',
    async (hours) => {
      const projectId = `dash-browser-${hours}h`;
      const bigquery = emulatorClient(emulator.url, projectId);
      await seedHourlyHistory(bigquery, hours);
      const seeded = await startDashboard({ port: 0, projectId, bigquery, log: silentLogger() });
      const page = await browser.newPage({ viewport: { width: 1600, height: 1250 } });
      try {
        await page.goto(seeded.url);
        await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
        await page
          .locator('.charts')
          .screenshot({ path: path.join(chartScreenshotDir(), `charts-${hours}h.png`) });

        const emptyChart = page.getByTestId('chart-empty');
        const emptyPanel = page.locator('.charts .panel').filter({ has: emptyChart });
        const bars = await boxesOf(emptyChart.locator('rect.bar'));
        expect(bars).toHaveLength(hours);
        expectInside(bars, await boxOf(emptyChart), 'bar in its chart');
        expectInside(bars, await boxOf(emptyPanel), 'bar in its panel');
        for (const bar of bars) {
          expect(bar.width).toBeGreaterThan(1);
          expect(bar.width).toBeLessThanOrEqual(MAX_BAR_WIDTH_PX);
        }

        const bikesChart = page.getByTestId('chart-bikes');
        expect(await marksOf(bikesChart, 'avg_total_bikes_available')).toBe(hours);
        if (hours === 1) {
          const [marker] = await boxesOf(
            bikesChart.locator('circle.marker[data-key="avg_total_bikes_available"]'),
          );
          expect(marker?.width).toBeGreaterThan(3);
        }
        for (const chart of [bikesChart, emptyChart, page.getByTestId('chart-coverage')]) {
          const chartBox = await boxOf(chart);
          expectInside(
            await boxesOf(chart.locator('.bar, .band, .line, .marker')),
            chartBox,
            'mark',
          );
          const labels = await boxesOf(chart.locator('text.x-label'));
          expect(labels.length).toBeGreaterThanOrEqual(1);
          expect(labels.length).toBeLessThanOrEqual(hours);
          expectInside(labels, chartBox, 'time label');
        }
      } finally {
        await page.close();
        await seeded.close();
      }
    },
  );

  it('shows a clear empty state before any data arrives', async () => {
    const bare = emulatorClient(emulator.url, 'dash-browser-empty');
    await createWarehouse(bare);
    const emptyDashboard = await startDashboard({
      port: 0,
      projectId: 'dash-browser-empty',
      bigquery: bare,
      log: silentLogger(),
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await page.goto(emptyDashboard.url);
      await page.getByTestId('empty-state').waitFor({ state: 'visible' });
      expect(await page.getByTestId('empty-state').textContent()).toMatch(/No data yet/);
      expect(await page.locator('#content').isHidden()).toBe(true);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-empty.png') });
    } finally {
      await emptyDashboard.close();
    }
  });
});
