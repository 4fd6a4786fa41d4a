// The station map: every station placed by latitude/longitude, hand-drawn in SVG (no tiles, works
// offline). Equirectangular: x = lon·cos(48.86°), y = −lat, which keeps Paris's proportions.
/* global document */
import { svgEl } from './charts.js';

const COS_LAT = Math.cos((48.86 * Math.PI) / 180);

/** Fill ratio 0…1 → colour: red (empty) through amber and green to indigo (full). */
export function fillColour(ratio) {
  const stops = [
    [0, [239, 68, 68]],
    [0.15, [245, 158, 11]],
    [0.3, [250, 204, 21]],
    [0.55, [74, 222, 128]],
    [0.8, [34, 211, 238]],
    [1, [129, 140, 248]],
  ];
  const r = Math.min(1, Math.max(0, ratio));
  let i = 1;
  while (i < stops.length - 1 && r > stops[i][0]) i++;
  const [a, ca] = stops[i - 1];
  const [b, cb] = stops[i];
  const f = (r - a) / (b - a || 1);
  const rgb = ca.map((c, k) => Math.round(c + (cb[k] - c) * f));
  return `rgb(${rgb.join(',')})`;
}

/** Andrew's monotone chain: the convex hull of [x, y] points, counter-clockwise. */
export function convexHull(points) {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower = [];
  for (const pt of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pt) <= 0)
      lower.pop();
    lower.push(pt);
  }
  const upper = [];
  for (const pt of p.reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pt) <= 0)
      upper.pop();
    upper.push(pt);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const project = (s) => [s.lon * COS_LAT, -s.lat];

/** Draws (or redraws) the map; `stations` rows come from /api/stations. */
export function drawMap(container, stations, tip) {
  while (container.firstChild) container.removeChild(container.firstChild);
  const placed = stations.filter((s) => Number.isFinite(s.lat) && Number.isFinite(s.lon));
  if (placed.length === 0) {
    showNoLocations(container);
    return;
  }
  const pts = placed.map(project);
  const frame = frameAround(pts);
  const svg = svgEl(
    'svg',
    {
      viewBox: `0 0 ${frame.width} ${frame.height}`,
      preserveAspectRatio: 'xMidYMid meet',
      role: 'img',
      'aria-label': `${placed.length} stations`,
    },
    container,
  );
  const hull = convexHull(pts).map(
    ([x, y]) => `${frame.sx(x).toFixed(1)},${frame.sy(y).toFixed(1)}`,
  );
  svgEl('polygon', { class: 'hull', points: hull.join(' ') }, svg);
  drawGraticule(svg, frame);
  const north = svgEl(
    'text',
    { class: 'label', x: frame.width - frame.pad, y: frame.pad + 8, 'text-anchor': 'end' },
    svg,
  );
  north.textContent = 'N ↑';
  const layer = svgEl('g', {}, svg);
  showTooltips(layer, drawStations(layer, placed, frame), tip);
}

function showNoLocations(container) {
  const div = document.createElement('div');
  div.className = 'chart-empty';
  div.textContent = 'Station locations arrive with the daily station_information snapshot';
  container.appendChild(div);
}

/** The projected points' bounds, scaled to a 1000-wide view box: `sx`/`sy` place a point. */
function frameAround(pts) {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const minX = Math.min(...xs);
  const maxX = Math.max(...xs);
  const minY = Math.min(...ys);
  const maxY = Math.max(...ys);
  const width = 1000;
  const pad = 18;
  const scale = (width - 2 * pad) / (maxX - minX || 1);
  const height = Math.max(200, (maxY - minY) * scale + 2 * pad);
  const sx = (x) => pad + (x - minX) * scale;
  const sy = (y) => pad + (y - minY) * scale;
  return { minX, maxX, minY, maxY, width, height, pad, sx, sy };
}

// A faint graticule every 0.05°, for a sense of distance (0.05° of latitude ≈ 5.6 km).
function drawGraticule(svg, { minX, maxX, minY, maxY, width, height, sx, sy }) {
  for (let lat = Math.ceil(-maxY / 0.05) * 0.05; lat <= -minY; lat += 0.05) {
    svgEl('line', { class: 'grid-line', x1: 0, x2: width, y1: sy(-lat), y2: sy(-lat) }, svg);
  }
  for (let lon = Math.ceil(minX / COS_LAT / 0.05) * 0.05; lon * COS_LAT <= maxX; lon += 0.05) {
    svgEl(
      'line',
      { class: 'grid-line', y1: 0, y2: height, x1: sx(lon * COS_LAT), x2: sx(lon * COS_LAT) },
      svg,
    );
  }
}

/** One circle per station, coloured by fill; returns the stations by id, for the tooltip. */
function drawStations(layer, placed, { sx, sy }) {
  const radius = Math.max(3, Math.min(6, 5200 / placed.length));
  // Larger, fuller stations drawn last so they stay visible.
  const ordered = [...placed].sort((a, b) => (a.capacity ?? 0) - (b.capacity ?? 0));
  const byId = new Map();
  for (const s of ordered) {
    const [x, y] = project(s);
    const open = s.is_installed === 1 && s.is_renting === 1;
    const circle = svgEl(
      'circle',
      {
        class: 'station',
        cx: sx(x).toFixed(1),
        cy: sy(y).toFixed(1),
        r: radius,
        fill: open && s.fill_ratio !== null ? fillColour(s.fill_ratio) : '#475569',
        'data-station-id': s.station_id,
      },
      layer,
    );
    byId.set(String(s.station_id), s);
    circle.setAttribute('aria-label', s.name ?? s.station_id);
  }
  return byId;
}

/** One listener on the layer, not one per circle: the hovered circle names its station. */
function showTooltips(layer, byId, tip) {
  layer.addEventListener('mousemove', (event) => {
    const target = event.target;
    const s =
      target && target.getAttribute ? byId.get(target.getAttribute('data-station-id')) : undefined;
    if (!s) return;
    tip.show(event, stationTooltip(s));
  });
  layer.addEventListener('mouseleave', () => tip.hide());
}

function stationTooltip(s) {
  const bikes = s.num_bikes_available ?? 0;
  const docks = s.num_docks_available ?? 0;
  const total = bikes + docks || 1;
  const mech = s.mechanical_available ?? 0;
  const ebike = s.ebike_available ?? 0;
  const state =
    s.is_installed !== 1 ? 'not installed' : s.is_renting !== 1 ? 'not renting' : 'open';
  const reported = s.last_reported_ts
    ? new Date(s.last_reported_ts).toLocaleTimeString('en-GB', { timeZone: 'Europe/Paris' })
    : '–';
  return `<strong>${escapeHtml(s.name ?? `Station ${s.station_id}`)}</strong>
    <svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect width="${(mech / total) * 100}" height="6" fill="#4ade80"/><rect x="${(mech / total) * 100}" width="${(ebike / total) * 100}" height="6" fill="#60a5fa"/></svg>
    <div class="row">mechanical<b>${mech}</b></div>
    <div class="row">e-bikes<b>${ebike}</b></div>
    <div class="row">free docks<b>${docks}</b></div>
    <div class="row">fill<b>${s.fill_ratio === null ? '–' : Math.round(s.fill_ratio * 100) + ' %'}</b></div>
    <div class="row">status<b>${state}</b></div>
    <div class="row">reported<b>${reported}</b></div>
    <div class="row">code<b>${escapeHtml(s.station_code ?? '–')}</b></div>`;
}
