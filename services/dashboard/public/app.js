// The dashboard page: fetches /api/*, draws KPI cards, the map, the charts, alerts and dead
// letters, and refreshes itself every 30 s. Plain browser ES module, no build step.
/* global document, window, CSS */
import { formatNumber, heatMap, timeChart } from './charts.js';
import { drawMap, fillColour } from './map.js';

const REFRESH_MS = 30_000;
const $ = (id) => document.getElementById(id);

const ALERT_LABELS = {
  empty: ['Empty', 'no bike', 'var(--empty)'],
  full: ['Full', 'no free dock', 'var(--full)'],
  not_reporting: ['Silent', 'not reporting', 'var(--warn)'],
  not_renting: ['Closed', 'installed, not renting', '#94a3b8'],
};
const DLQ_LABELS = {
  curated: 'curated job',
  push_writer: 'push writers',
  station_info_push: 'station-info push',
};
const PROFILE_METRICS = {
  avg_total_bikes_available: ['bikes docked', (v) => formatNumber(v)],
  avg_empty_stations: ['empty stations', (v) => formatNumber(v, 1)],
};

const state = { alertFilter: 'all', profileMetric: 'avg_total_bikes_available', data: {} };

function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const tip = {
  el: null,
  show(event, html) {
    this.el ??= $('tooltip');
    this.el.innerHTML = html;
    this.el.hidden = false;
    const pad = 14;
    const box = this.el.getBoundingClientRect();
    let x = event.clientX + pad;
    let y = event.clientY + pad;
    if (x + box.width > window.innerWidth - 8) x = event.clientX - box.width - pad;
    if (y + box.height > window.innerHeight - 8) y = event.clientY - box.height - pad;
    this.el.style.left = `${Math.max(8, x)}px`;
    this.el.style.top = `${Math.max(8, y)}px`;
  },
  hide() {
    this.el ??= $('tooltip');
    this.el.hidden = true;
  },
};

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    let reason = `${response.status}`;
    try {
      reason = (await response.json()).error ?? reason;
    } catch {
      // not JSON: keep the status
    }
    throw new Error(`${path}: ${reason}`);
  }
  return response.json();
}

function ago(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

const PARIS_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

function renderKpis(kpis, serverTime) {
  const set = (name, text) => {
    document.querySelector(`[data-testid="kpi-${name}"]`).textContent = text;
  };
  set('mechanical', formatNumber(kpis.mechanical_available));
  set('ebike', formatNumber(kpis.ebike_available));
  set('docks', formatNumber(kpis.docks_available));
  // Stations present in the newest snapshot: the count the hourly marts and coverage use.
  set('reporting', formatNumber(kpis.stations_reporting));
  $('kpi-reporting-hint').textContent =
    `of ${formatNumber(kpis.stations_known)} known · ${formatNumber(kpis.stations_installed)} installed`;
  set('empty', formatNumber(kpis.empty_stations));
  set('full', formatNumber(kpis.full_stations));
  const asOf = Date.parse(kpis.as_of_ts);
  const age = Math.max(0, (Date.parse(serverTime) - asOf) / 1000);
  set('freshness', ago(age));
  $('kpi-freshness-hint').textContent = `snapshot of ${PARIS_TIME.format(asOf)}`;
  const pill = $('freshness');
  const stale = age > 10 * 60;
  pill.className = `pill ${stale ? 'pill-stale' : 'pill-ok'}`;
  pill.textContent = stale
    ? `data ${ago(age)} old · ${PARIS_TIME.format(asOf)}`
    : `live · ${PARIS_TIME.format(asOf)}`;
}

function renderAlerts() {
  const { alerts = [], counts = {} } = state.data.alerts ?? {};
  const filters = $('alert-filters');
  filters.innerHTML = '';
  const total = alerts.length;
  for (const [type, label] of [
    ['all', 'All'],
    ...Object.entries(ALERT_LABELS).map(([k, v]) => [k, v[0]]),
  ]) {
    const chip = document.createElement('button');
    chip.className = `chip${state.alertFilter === type ? ' on' : ''}`;
    chip.dataset.type = type;
    chip.textContent = `${label} ${type === 'all' ? total : (counts[type] ?? 0)}`;
    chip.addEventListener('click', () => {
      state.alertFilter = type;
      renderAlerts();
    });
    filters.appendChild(chip);
  }
  const list = $('alerts');
  list.innerHTML = '';
  const shown = alerts.filter(
    (a) => state.alertFilter === 'all' || a.alert_type === state.alertFilter,
  );
  if (shown.length === 0) {
    const li = document.createElement('li');
    li.className = 'none';
    li.textContent = total === 0 ? 'No station needs attention. 🎉' : 'None of this kind.';
    list.appendChild(li);
    return;
  }
  for (const a of shown.slice(0, 300)) {
    const [, what, colour] = ALERT_LABELS[a.alert_type] ?? ['', a.alert_type, '#94a3b8'];
    const li = document.createElement('li');
    li.dataset.stationId = a.station_id;
    li.innerHTML = `<svg class="dot" viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="5" fill="${colour}"/></svg>
      <div><div class="name">${escapeHtml(a.name ?? `Station ${a.station_id}`)}</div>
      <div class="what">${what}${a.station_code ? ` · #${escapeHtml(a.station_code)}` : ''}</div></div>
      <div class="since">${a.duration_minutes === null ? '' : ago(a.duration_minutes * 60)}</div>`;
    li.addEventListener('mouseenter', () => highlight(a.station_id, true));
    li.addEventListener('mouseleave', () => highlight(a.station_id, false));
    list.appendChild(li);
  }
}

function highlight(stationId, on) {
  const circle = document.querySelector(
    `circle[data-station-id="${CSS.escape(String(stationId))}"]`,
  );
  if (!circle) return;
  circle.classList.toggle('active', on);
  if (on) circle.parentNode.appendChild(circle);
}

function renderDlq(rows) {
  const body = $('dlq').querySelector('tbody');
  body.innerHTML = '';
  if (rows.length === 0) {
    body.innerHTML =
      '<tr><td colspan="4" class="zero">No dead letters. Every message landed.</td></tr>';
    return;
  }
  for (const r of rows) {
    const tr = document.createElement('tr');
    tr.innerHTML = `<td>${escapeHtml(DLQ_LABELS[r.dlq] ?? r.dlq)}</td><td>${escapeHtml(r.detail ?? '–')}</td>
      <td class="${r.last_24h > 0 ? 'hot' : 'zero'}">${formatNumber(r.last_24h)}</td><td>${formatNumber(r.total)}</td>`;
    body.appendChild(tr);
  }
}

/** The first offending row of a failed assertion, as `key=value` pairs (the sample is JSON text). */
function sampleText(sample) {
  if (!sample) return '';
  try {
    const rows = typeof sample === 'string' ? JSON.parse(sample) : sample;
    const first = Array.isArray(rows) ? rows[0] : null;
    return first
      ? Object.entries(first)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '';
  } catch {
    return '';
  }
}

function renderQuality(rows) {
  const body = $('quality').querySelector('tbody');
  body.innerHTML = '';
  if (rows.length === 0) {
    body.innerHTML =
      '<tr><td colspan="4" class="zero">No run yet: <code>pmp quality</code> or the hourly job.</td></tr>';
    return;
  }
  for (const r of rows) {
    const tr = document.createElement('tr');
    const result = r.passed ? 'passed' : r.severity === 'error' ? 'failed' : 'warning';
    tr.dataset.assertion = r.assertion;
    tr.dataset.result = result;
    tr.title = [
      r.error_message,
      sampleText(r.sample),
      `checked ${PARIS_TIME.format(Date.parse(r.checked_ts))}`,
    ]
      .filter(Boolean)
      .join('\n');
    const lastPassed = r.last_passed_ts ? PARIS_TIME.format(Date.parse(r.last_passed_ts)) : 'never';
    tr.innerHTML = `<td>${escapeHtml(r.assertion)}</td>
      <td class="result-${result}">${result}</td>
      <td class="${r.passed ? 'zero' : 'hot'}">${r.failing_rows === null ? '–' : formatNumber(r.failing_rows)}</td>
      <td>${escapeHtml(lastPassed)}</td>`;
    body.appendChild(tr);
  }
}

function hourTooltip(r) {
  const when = PARIS_TIME.format(Date.parse(r.hour_ts_paris));
  return `<strong>${when}</strong>
    <div class="row">average bikes<b>${formatNumber(r.avg_total_bikes_available)}</b></div>
    <div class="row">peak / minimum<b>${formatNumber(r.peak_total_bikes_available)} / ${formatNumber(r.min_total_bikes_available)}</b></div>
    <div class="row">mechanical / e-bikes<b>${formatNumber(r.avg_mechanical_available)} / ${formatNumber(r.avg_ebike_available)}</b></div>
    <div class="row">empty stations (avg / peak)<b>${formatNumber(r.avg_empty_stations, 1)} / ${formatNumber(r.peak_empty_stations)}</b></div>
    <div class="row">full stations (avg)<b>${formatNumber(r.avg_full_stations, 1)}</b></div>
    <div class="row">coverage<b>${r.avg_coverage_ratio === null ? '–' : formatNumber(r.avg_coverage_ratio * 100, 1) + ' %'}</b></div>
    <div class="row">snapshots<b>${r.snapshot_samples}</b></div>`;
}

function renderCharts() {
  const hours = state.data.hourly?.hours ?? [];
  const x = hours.map((r) => Date.parse(r.hour_ts_paris));
  timeChart($('chart-bikes'), {
    x,
    rows: hours,
    band: {
      low: 'min_total_bikes_available',
      high: 'peak_total_bikes_available',
      colour: '#5eead42e',
    },
    series: [
      { key: 'avg_mechanical_available', colour: '#4ade80', width: 1.5, dash: '4 3' },
      { key: 'avg_ebike_available', colour: '#60a5fa', width: 1.5, dash: '4 3' },
      { key: 'avg_total_bikes_available', colour: '#5eead4', width: 2.5 },
    ],
    yMin: 0,
    tooltip: hourTooltip,
    tip,
  });
  timeChart($('chart-empty'), {
    x,
    rows: hours,
    bars: { key: 'avg_empty_stations', colour: '#f8717199' },
    series: [
      { key: 'peak_empty_stations', colour: '#f87171', width: 1.5, dash: '3 3' },
      { key: 'avg_full_stations', colour: '#c084fc', width: 2 },
    ],
    yMin: 0,
    tooltip: hourTooltip,
    tip,
  });
  timeChart($('chart-coverage'), {
    x,
    rows: hours.map((r) => ({
      ...r,
      coverage_pct: r.avg_coverage_ratio === null ? null : r.avg_coverage_ratio * 100,
    })),
    series: [{ key: 'coverage_pct', colour: '#fbbf24', width: 2.5, area: '#fbbf2422' }],
    yMin: 0,
    yMax: 100,
    yFormat: (v) => `${v} %`,
    tooltip: hourTooltip,
    tip,
  });
  const [label, format] = PROFILE_METRICS[state.profileMetric];
  const chips = $('profile-metric');
  chips.innerHTML = '';
  for (const [key, [text]] of Object.entries(PROFILE_METRICS)) {
    const chip = document.createElement('button');
    chip.className = `chip${state.profileMetric === key ? ' on' : ''}`;
    chip.textContent = text;
    chip.addEventListener('click', () => {
      state.profileMetric = key;
      renderCharts();
    });
    chips.appendChild(chip);
  }
  const empties = state.profileMetric === 'avg_empty_stations';
  heatMap($('heatmap'), {
    cells: state.data.profile?.cells ?? [],
    key: state.profileMetric,
    // Many bikes is good (green-blue); many empty stations is bad, so the ramp is reversed.
    colour: (t) => fillColour(empties ? 1 - t : t),
    format,
    label,
    tip,
  });
}

async function refresh() {
  $('refresh').classList.add('spinning');
  try {
    const kpis = await getJson('/api/kpis');
    if (!kpis.kpis) {
      $('empty').hidden = false;
      $('content').hidden = true;
      $('freshness').className = 'pill pill-muted';
      $('freshness').textContent = 'waiting for data';
      $('error').hidden = true;
      return;
    }
    const [stations, hourly, profile, alerts, dlq, quality] = await Promise.all([
      getJson('/api/stations'),
      getJson('/api/hourly?hours=48'),
      getJson('/api/profile'),
      getJson('/api/alerts'),
      getJson('/api/dlq'),
      getJson('/api/quality'),
    ]);
    state.data = { kpis, stations, hourly, profile, alerts, dlq, quality };
    $('empty').hidden = true;
    $('content').hidden = false;
    renderKpis(kpis.kpis, kpis.serverTime);
    drawMap($('map'), stations.stations, tip);
    renderAlerts();
    renderDlq(dlq.dlq);
    renderQuality(quality.assertions);
    renderCharts();
    $('error').hidden = true;
    document.body.dataset.loaded = 'true';
  } catch (error) {
    $('error').hidden = false;
    $('error').textContent =
      `Could not refresh: ${error.message}. Showing the last figures; retrying in 30 s.`;
  } finally {
    $('refresh').classList.remove('spinning');
    document.body.dataset.refreshedAt = String(Date.now());
  }
}

let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (state.data.hourly) renderCharts();
  }, 150);
});

refresh();
setInterval(refresh, REFRESH_MS);
