// Hand-drawn SVG charts for the dashboard (why not a library: docs/own-code.md). Plain browser
// ES module, no build step.
/* global document */

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function svgEl(name, attrs = {}, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (parent) parent.appendChild(el);
  return el;
}

/** Round-number ticks covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) max = min + 1;
  const raw = (max - min) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 2.5, 5, 10].map((m) => m * step).find((s) => raw <= s) ?? step * 10;
  const ticks = [];
  for (let v = Math.floor(min / unit) * unit; v <= max + unit * 1e-9; v += unit) ticks.push(v);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + unit);
  return ticks;
}

const PARIS_HOUR = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
});
const PARIS_DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  weekday: 'short',
  day: 'numeric',
});

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toLocaleString('en-GB', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

function clear(container) {
  while (container.firstChild) container.removeChild(container.firstChild);
}

function showEmpty(container, text) {
  clear(container);
  const div = document.createElement('div');
  div.className = 'chart-empty';
  div.textContent = text;
  container.appendChild(div);
}

const HOUR_MS = 3_600_000;
/** Widest bar, in px: one hour of data must read as a column, not a wall across the panel. */
const MAX_BAR_WIDTH = 28;
/** Share of an hour's slot a bar fills, leaving a gap between neighbours. */
const BAR_FILL = 0.7;
const MARKER_RADIUS = 4;
const MARGIN = { top: 10, right: 12, bottom: 26, left: 52 };

let clipIds = 0;

/**
 * x scale over the hours shown. Each hour owns a slot as wide as the smallest step between
 * hours, and points sit in the middle of their slot: one hour lands in the middle of the plot
 * (not on its left edge with nothing to its right), and the first and last bars stay inside.
 */
function hourScale(xs, left, width) {
  const steps = xs
    .slice(1)
    .map((t, i) => t - xs[i])
    .filter((d) => d > 0);
  const step = steps.length > 0 ? Math.min(...steps) : HOUR_MS;
  const start = Math.min(...xs) - step / 2;
  const span = Math.max(...xs) + step / 2 - start;
  return {
    px: (t) => left + ((t - start) / span) * width,
    time: (x) => start + ((x - left) / width) * span,
    slotWidth: (step / span) * width,
  };
}

/** y ticks and scale; the domain is padded a little above and below unless it is fixed. */
function valueScale(rows, { series, band, bars, yMin, yMax }, top, height) {
  const values = [];
  for (const row of rows) {
    for (const s of series) values.push(row[s.key]);
    if (band) values.push(row[band.low], row[band.high]);
    if (bars) values.push(row[bars.key]);
  }
  const finite = values.filter((v) => v !== null && Number.isFinite(Number(v))).map(Number);
  const lo = yMin ?? Math.min(...finite);
  const hi = yMax ?? Math.max(...finite);
  const ticks = niceTicks(yMin ?? lo - (hi - lo) * 0.08, yMax ?? (hi + (hi - lo) * 0.05 || 1));
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1];
  return { ticks, y0, py: (v) => top + height - ((v - y0) / (y1 - y0)) * height };
}

function drawAxes(svg, { xs, x, y, plot, yFormat }) {
  const axis = svgEl('g', { class: 'axis' }, svg);
  for (const t of y.ticks) {
    const at = y.py(t);
    svgEl('line', { class: 'gridline', x1: plot.left, x2: plot.right, y1: at, y2: at }, svg);
    const label = svgEl('text', { x: plot.left - 8, y: at + 4, 'text-anchor': 'end' }, axis);
    label.textContent = yFormat ? yFormat(t) : formatNumber(t);
  }
  // Time labels: midnights get the day, otherwise the hour, about every 90 px.
  const every = Math.max(1, Math.ceil(xs.length / Math.max(1, Math.floor(plot.width / 90))));
  xs.forEach((t, i) => {
    if (i % every !== 0) return;
    const text = svgEl(
      'text',
      { class: 'x-label', x: x.px(t), y: plot.bottom + 17, 'text-anchor': 'middle' },
      axis,
    );
    const hour = PARIS_HOUR.format(t);
    text.textContent = hour === '00:00' ? PARIS_DAY.format(t) : hour;
  });
  svgEl('line', { x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }, axis);
}

/** Columns centred on their hour, never wider than the slot or MAX_BAR_WIDTH, never past the plot. */
function drawBars(layer, { rows, xs, x, y, plot, bars }) {
  const width = Math.max(1.5, Math.min(MAX_BAR_WIDTH, x.slotWidth * BAR_FILL));
  rows.forEach((row, i) => {
    const v = Number(row[bars.key]);
    if (row[bars.key] === null || !Number.isFinite(v)) return;
    const left = Math.max(plot.left, x.px(xs[i]) - width / 2);
    const right = Math.min(plot.right, x.px(xs[i]) + width / 2);
    svgEl(
      'rect',
      {
        x: left,
        y: y.py(v),
        width: Math.max(0, right - left),
        height: Math.max(0, y.py(y.y0) - y.py(v)),
        fill: bars.colour,
        opacity: 0.85,
        rx: Math.min(2, width / 3),
        class: 'bar',
      },
      layer,
    );
  });
}

/** The min–max band; a single hour has no area to shade, so it gets a short range bar instead. */
function drawBand(layer, { rows, xs, x, y, band }) {
  const high = rows.map((r, i) => [x.px(xs[i]), y.py(Number(r[band.high]))]);
  const low = rows.map((r, i) => [x.px(xs[i]), y.py(Number(r[band.low]))]);
  if (rows.length === 1) {
    const [[cx, top]] = high;
    const [[, bottom]] = low;
    const width = MARKER_RADIUS * 3;
    const rangeBar = { x: cx - width / 2, y: top, width, height: Math.max(1, bottom - top) };
    svgEl('rect', { ...rangeBar, fill: band.colour, class: 'band' }, layer);
    return;
  }
  const points = [...high, ...low.reverse()].map(([px, py]) => `${px},${py}`).join(' ');
  svgEl('polygon', { points, fill: band.colour, class: 'band' }, layer);
}

/** One series: a line through its hours, or a marker when it has a single point to show. */
function drawSeries(layer, { rows, xs, x, y, s }) {
  const points = rows
    .map((r, i) => (r[s.key] === null ? null : [x.px(xs[i]), y.py(Number(r[s.key]))]))
    .filter(Boolean);
  if (points.length === 0) return;
  // An area needs two points to have one; a lone hour shows as its marker.
  if (s.area && points.length > 1) {
    const base = y.py(y.y0);
    const outline = [[points[0][0], base], ...points, [points[points.length - 1][0], base]];
    svgEl('polygon', { points: outline.map((p) => p.join(',')).join(' '), fill: s.area }, layer);
  }
  if (points.length === 1) {
    const [[cx, cy]] = points;
    svgEl(
      'circle',
      { cx, cy, r: MARKER_RADIUS, fill: s.colour, class: 'marker', 'data-key': s.key },
      layer,
    );
    return;
  }
  svgEl(
    'polyline',
    {
      points: points.map((p) => p.join(',')).join(' '),
      fill: 'none',
      stroke: s.colour,
      'stroke-width': s.width ?? 2,
      'stroke-dasharray': s.dash ?? '',
      'stroke-linejoin': 'round',
      'stroke-linecap': 'round',
      class: 'line',
      'data-key': s.key,
    },
    layer,
  );
}

/** Hover: a guide line and the tooltip for the nearest hour. */
function attachHover(svg, { rows, xs, x, plot, width, tooltip, tip }) {
  const guide = svgEl(
    'line',
    { y1: plot.top, y2: plot.bottom, stroke: '#5eead466', visibility: 'hidden' },
    svg,
  );
  const hit = svgEl(
    'rect',
    { x: plot.left, y: plot.top, width: plot.width, height: plot.height, fill: 'transparent' },
    svg,
  );
  hit.addEventListener('mousemove', (event) => {
    const box = svg.getBoundingClientRect();
    const t = x.time((event.clientX - box.left) * (width / box.width));
    let best = 0;
    xs.forEach((v, i) => {
      if (Math.abs(v - t) < Math.abs(xs[best] - t)) best = i;
    });
    guide.setAttribute('x1', x.px(xs[best]));
    guide.setAttribute('x2', x.px(xs[best]));
    guide.setAttribute('visibility', 'visible');
    if (tip) tip.show(event, tooltip(rows[best]));
  });
  hit.addEventListener('mouseleave', () => {
    guide.setAttribute('visibility', 'hidden');
    if (tip) tip.hide();
  });
}

/**
 * A time series chart: `series` are lines ({key, colour, width, dash, area}), `band` an optional
 * shaded range ({low, high, colour}), `bars` optional columns ({key, colour}). x is a list of epoch
 * ms, one per row. Marks are drawn in a layer clipped to the plot area, so whatever the data, the
 * chart never paints over its neighbours.
 */
export function timeChart(
  container,
  { x: times, rows, series = [], band, bars, yMin, yMax, yFormat, tooltip, tip },
) {
  if (rows.length === 0) {
    showEmpty(container, 'No hourly data yet');
    return;
  }
  clear(container);
  const width = container.clientWidth || 600;
  const height = container.clientHeight || 220;
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  plot.right = plot.left + plot.width;
  plot.bottom = plot.top + plot.height;
  const xs = times.map(Number);
  const x = hourScale(xs, plot.left, plot.width);
  const y = valueScale(rows, { series, band, bars, yMin, yMax }, plot.top, plot.height);
  const drawn = { rows, xs, x, y, plot };

  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' }, container);
  drawAxes(svg, { ...drawn, yFormat });
  const clipId = `plot-clip-${++clipIds}`;
  const clip = svgEl('clipPath', { id: clipId }, svgEl('defs', {}, svg));
  // Markers and line caps may reach a few px past the plot's edge: room for them, no more.
  const bleed = MARKER_RADIUS + 2;
  svgEl(
    'rect',
    {
      x: plot.left - bleed,
      y: plot.top - bleed,
      width: plot.width + 2 * bleed,
      height: plot.height + 2 * bleed,
    },
    clip,
  );
  const layer = svgEl('g', { 'clip-path': `url(#${clipId})` }, svg);
  if (bars) drawBars(layer, { ...drawn, bars });
  if (band) drawBand(layer, { ...drawn, band });
  for (const s of series) drawSeries(layer, { ...drawn, s });
  attachHover(svg, { ...drawn, width, tooltip, tip });
}

const DAYS = [
  [2, 'Mon'],
  [3, 'Tue'],
  [4, 'Wed'],
  [5, 'Thu'],
  [6, 'Fri'],
  [7, 'Sat'],
  [1, 'Sun'],
];

/** Weekday × hour heat map; `cells` rows carry day_of_week (1 = Sunday) and hour_of_day. */
export function heatMap(container, { cells, key, colour, format, tip, label }) {
  if (cells.length === 0) {
    showEmpty(container, 'The weekly profile fills in as hours pass');
    return;
  }
  clear(container);
  const width = container.clientWidth || 600;
  const height = container.clientHeight || 220;
  const m = { top: 6, right: 8, bottom: 22, left: 38 };
  const cw = (width - m.left - m.right) / 24;
  const ch = (height - m.top - m.bottom) / 7;
  const values = cells.map((c) => Number(c[key])).filter(Number.isFinite);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const byKey = new Map(cells.map((c) => [`${c.day_of_week}:${c.hour_of_day}`, c]));
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' }, container);
  const axis = svgEl('g', { class: 'axis' }, svg);
  DAYS.forEach(([day, name], r) => {
    const text = svgEl(
      'text',
      { x: m.left - 8, y: m.top + r * ch + ch / 2 + 4, 'text-anchor': 'end' },
      axis,
    );
    text.textContent = name;
    for (let hour = 0; hour < 24; hour++) {
      const cell = byKey.get(`${day}:${hour}`);
      const v = cell ? Number(cell[key]) : NaN;
      const rect = svgEl(
        'rect',
        {
          class: 'cell',
          x: m.left + hour * cw + 1,
          y: m.top + r * ch + 1,
          width: Math.max(1, cw - 2),
          height: Math.max(1, ch - 2),
          fill: Number.isFinite(v) ? colour(hi > lo ? (v - lo) / (hi - lo) : 0.5) : '#16212d',
          'data-day': day,
          'data-hour': hour,
        },
        svg,
      );
      if (cell && tip) {
        rect.addEventListener('mousemove', (event) =>
          tip.show(
            event,
            `<strong>${name} ${String(hour).padStart(2, '0')}:00</strong>
            <div class="row">${label}<b>${format(v)}</b></div>
            <div class="row">hours observed<b>${cell.hours_observed}</b></div>`,
          ),
        );
        rect.addEventListener('mouseleave', () => tip.hide());
      }
    }
  });
  for (let hour = 0; hour < 24; hour += 3) {
    const text = svgEl(
      'text',
      { x: m.left + hour * cw + cw / 2, y: height - 6, 'text-anchor': 'middle' },
      axis,
    );
    text.textContent = `${String(hour).padStart(2, '0')}h`;
  }
}
