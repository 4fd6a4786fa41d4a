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

/**
 * A time series chart: `series` are lines ({key, colour, width, dash}), `band` an optional shaded
 * range ({low, high, colour}), `bars` optional columns ({key, colour}). x is a list of epoch ms.
 */
export function timeChart(
  container,
  { x, rows, series = [], band, bars, yMin, yMax, yFormat, tooltip, tip },
) {
  if (rows.length === 0) {
    showEmpty(container, 'No hourly data yet');
    return;
  }
  clear(container);
  const width = container.clientWidth || 600;
  const height = container.clientHeight || 220;
  const m = { top: 10, right: 12, bottom: 26, left: 52 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
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
  const xs = x.map(Number);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const span = xMax - xMin || 3_600_000;
  const px = (t) => m.left + ((t - xMin) / span) * w;
  const py = (v) => m.top + h - ((v - y0) / (y1 - y0)) * h;

  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' }, container);
  const axis = svgEl('g', { class: 'axis' }, svg);
  for (const t of ticks) {
    svgEl('line', { class: 'gridline', x1: m.left, x2: m.left + w, y1: py(t), y2: py(t) }, svg);
    const label = svgEl('text', { x: m.left - 8, y: py(t) + 4, 'text-anchor': 'end' }, axis);
    label.textContent = yFormat ? yFormat(t) : formatNumber(t);
  }
  // Time labels: midnights get the day, otherwise the hour, about every 90 px.
  const every = Math.max(1, Math.ceil(rows.length / Math.max(2, Math.floor(w / 90))));
  xs.forEach((t, i) => {
    if (i % every !== 0) return;
    const text = svgEl('text', { x: px(t), y: m.top + h + 17, 'text-anchor': 'middle' }, axis);
    const hour = PARIS_HOUR.format(t);
    text.textContent = hour === '00:00' ? PARIS_DAY.format(t) : hour;
  });
  svgEl('line', { x1: m.left, x2: m.left + w, y1: m.top + h, y2: m.top + h }, axis);

  if (bars) {
    const bw = Math.max(1.5, (w / Math.max(rows.length, 1)) * 0.7);
    rows.forEach((row, i) => {
      const v = Number(row[bars.key]);
      if (!Number.isFinite(v)) return;
      svgEl(
        'rect',
        {
          x: px(xs[i]) - bw / 2,
          y: py(v),
          width: bw,
          height: Math.max(0, py(y0) - py(v)),
          fill: bars.colour,
          opacity: 0.85,
          rx: Math.min(2, bw / 3),
          class: 'bar',
        },
        svg,
      );
    });
  }
  if (band) {
    const top = rows.map((r, i) => `${px(xs[i])},${py(Number(r[band.high]))}`);
    const bottom = rows.map((r, i) => `${px(xs[i])},${py(Number(r[band.low]))}`).reverse();
    svgEl(
      'polygon',
      { points: [...top, ...bottom].join(' '), fill: band.colour, class: 'band' },
      svg,
    );
  }
  for (const s of series) {
    const points = rows
      .map((r, i) => (r[s.key] === null ? null : `${px(xs[i])},${py(Number(r[s.key]))}`))
      .filter(Boolean);
    if (s.area) {
      const first = points[0]?.split(',')[0];
      const last = points[points.length - 1]?.split(',')[0];
      svgEl(
        'polygon',
        {
          points: `${first},${py(y0)} ${points.join(' ')} ${last},${py(y0)}`,
          fill: s.area,
        },
        svg,
      );
    }
    svgEl(
      'polyline',
      {
        points: points.join(' '),
        fill: 'none',
        stroke: s.colour,
        'stroke-width': s.width ?? 2,
        'stroke-dasharray': s.dash ?? '',
        'stroke-linejoin': 'round',
        'stroke-linecap': 'round',
        class: 'line',
      },
      svg,
    );
  }
  // Hover: a guide line and the tooltip for the nearest hour.
  const guide = svgEl(
    'line',
    { y1: m.top, y2: m.top + h, stroke: '#5eead466', visibility: 'hidden' },
    svg,
  );
  const hit = svgEl('rect', { x: m.left, y: m.top, width: w, height: h, fill: 'transparent' }, svg);
  hit.addEventListener('mousemove', (event) => {
    const box = svg.getBoundingClientRect();
    const t = xMin + (((event.clientX - box.left) * (width / box.width) - m.left) / w) * span;
    let best = 0;
    xs.forEach((v, i) => {
      if (Math.abs(v - t) < Math.abs(xs[best] - t)) best = i;
    });
    guide.setAttribute('x1', px(xs[best]));
    guide.setAttribute('x2', px(xs[best]));
    guide.setAttribute('visibility', 'visible');
    if (tip) tip.show(event, tooltip(rows[best]));
  });
  hit.addEventListener('mouseleave', () => {
    guide.setAttribute('visibility', 'hidden');
    if (tip) tip.hide();
  });
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
