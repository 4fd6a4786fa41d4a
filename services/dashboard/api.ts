import Router, { type Middleware } from '@koa/router';
import type { MartRow, MartsReader } from './marts-reader.js';

/** Hours of history `/api/hourly` returns by default, and at most. */
export const HOURLY_DEFAULT_HOURS = 48;
export const HOURLY_MAX_HOURS = 24 * 31;

const ALERT_TYPES = ['empty', 'full', 'not_reporting', 'not_renting'] as const;

function parseHours(raw: unknown): number {
  if (raw === undefined) return HOURLY_DEFAULT_HOURS;
  const text = String(raw);
  const hours = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(hours) || hours < 1 || hours > HOURLY_MAX_HOURS) {
    const error = new Error(`hours must be a whole number from 1 to ${HOURLY_MAX_HOURS}`);
    Object.assign(error, { status: 400, expose: true });
    throw error;
  }
  return hours;
}

/**
 * The JSON API behind the page, one route per panel, each a plain SELECT over one mart view: the
 * figures are defined once, in sql/, and Looker Studio or an analyst reading the same views sees
 * the same numbers.
 */
export function apiRoutes(marts: MartsReader, now: () => Date = () => new Date()): Router {
  const router = new Router({ prefix: '/api' });
  const sql = panelQueries(marts);
  router.get('/kpis', async (ctx) => {
    ctx.body = { kpis: await networkNow(marts), serverTime: now().toISOString() };
  });
  router.get('/stations', rowsAs('stations', marts, sql.stations));
  router.get('/hourly', hourlyRoute(marts, sql.hourly));
  router.get('/profile', rowsAs('cells', marts, sql.profile));
  router.get('/alerts', alertsRoute(marts, sql.alerts));
  router.get('/dlq', rowsAs('dlq', marts, sql.dlq));
  router.get('/quality', rowsAs('assertions', marts, sql.quality));
  return router;
}

/** Each panel's SELECT over its view. */
function panelQueries(marts: MartsReader) {
  return {
    stations: `SELECT station_id, station_code, name, lat, lon, capacity, num_bikes_available,
         mechanical_available, ebike_available, num_docks_available, fill_ratio, is_installed,
         is_renting, is_returning, last_reported_ts, snapshot_ts
       FROM ${marts.view('velib_latest_state_enriched')}
       ORDER BY station_id`,
    hourly: `SELECT hour_ts_paris, hour_paris, avg_total_bikes_available, peak_total_bikes_available,
         min_total_bikes_available, avg_mechanical_available, avg_ebike_available,
         avg_total_docks_available, avg_stations_reporting, avg_empty_stations,
         peak_empty_stations, avg_full_stations, snapshot_samples, total_stations_known,
         avg_coverage_ratio
       FROM ${marts.view('velib_totals_hourly')}
       WHERE hour_ts_paris >= TIMESTAMP(@since)
       ORDER BY hour_ts_paris`,
    profile: `SELECT day_of_week, day_name, hour_of_day, avg_total_bikes_available, avg_empty_stations,
         avg_full_stations, snapshot_samples, hours_observed
       FROM ${marts.view('velib_weekday_hour_profile')}
       ORDER BY day_of_week, hour_of_day`,
    alerts: `SELECT alert_type, station_id, station_code, name, lat, lon, num_bikes_available,
         num_docks_available, since_ts, duration_minutes, as_of_ts
       FROM ${marts.view('velib_station_alerts')}
       ORDER BY alert_type, duration_minutes DESC, station_id`,
    dlq: `SELECT dlq, detail, total, last_24h, newest_ts
       FROM ${marts.view('ops_dlq_counts')}
       ORDER BY dlq, detail`,
    // Failing first (errors before warnings), then by name: what needs a look is on top.
    quality: `SELECT assertion, severity, passed, failing_rows, error_message, sample, checked_ts,
         last_passed_ts
       FROM ${marts.view('ops_data_quality_latest')}
       ORDER BY passed, severity, assertion`,
  };
}

/** The network's latest snapshot; null before any station is known. */
async function networkNow(marts: MartsReader): Promise<MartRow | null> {
  const [row] = await marts.query(`SELECT * FROM ${marts.view('velib_network_latest')}`);
  return row && Number(row.stations_known) > 0 ? row : null;
}

/** A panel that is one query's rows as they are: answered `{ [key]: rows }`. */
function rowsAs(key: string, marts: MartsReader, sql: string): Middleware {
  return async (ctx) => {
    ctx.body = { [key]: await marts.query(sql) };
  };
}

/** `?hours=` of hourly totals up to the newest snapshot. */
function hourlyRoute(marts: MartsReader, sql: string): Middleware {
  return async (ctx) => {
    const hours = parseHours(ctx.query.hours);
    const latest = await networkNow(marts);
    if (!latest?.as_of_ts) {
      ctx.body = { hours: [] };
      return;
    }
    // Relative to the newest data, not the wall clock, so a recorded history still shows.
    const since = new Date(Date.parse(String(latest.as_of_ts)) - hours * 3_600_000);
    ctx.body = { hours: await marts.query(sql, { since: since.toISOString() }) };
  };
}

/** The current alerts and how many of each type. */
function alertsRoute(marts: MartsReader, sql: string): Middleware {
  return async (ctx) => {
    const alerts = await marts.query(sql);
    const counts = Object.fromEntries(
      ALERT_TYPES.map((type) => [type, alerts.filter((a) => a.alert_type === type).length]),
    );
    ctx.body = { alerts, counts };
  };
}
