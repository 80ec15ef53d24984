/**
 * The learning curve of a fit as a self-contained SVG: loss (log scale), RMSE of energy (meV/atom) and
 * RMSE of forces (meV/Å) per iteration, one panel each, with axes, ticks, labels and a title. Pure: rows
 * in, SVG text out; no fonts, scripts or external references (generic font families only), so any
 * browser or image viewer shows it as is.
 */
import { parseMetricsTable, type MetricsRow } from '../pacemaker';

export interface LearningCurveOptions {
  /** Title line, e.g. "cu@v3 — campaign demo-cu". */
  title?: string;
}

const WIDTH = 760;
const PANEL_HEIGHT = 190;
const TOP = 56;
const GAP = 44;
const LEFT = 84;
const RIGHT = 24;
const FONT = 'font-family="DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"';

interface Panel {
  key: string;
  label: string;
  unit: string;
  color: string;
  log: boolean;
  value: (r: MetricsRow) => number;
}

const PANELS: Panel[] = [
  { key: 'loss', label: 'Loss', unit: 'log scale', color: '#1f77b4', log: true, value: (r) => r.loss },
  {
    key: 'rmse-energy',
    label: 'RMSE energy',
    unit: 'meV/atom',
    color: '#d62728',
    log: false,
    value: (r) => r.rmseEnergyMeVPerAtom,
  },
  {
    key: 'rmse-forces',
    label: 'RMSE forces',
    unit: 'meV/Å',
    color: '#2ca02c',
    log: false,
    value: (r) => r.rmseForcesMeVPerA,
  },
];

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Iteration numbers along the x axis: a resumed fit restarts iter_num, so it continues after the last. */
export function cumulativeIterations(rows: readonly MetricsRow[]): number[] {
  let offset = 0;
  let previous = -Infinity;
  return rows.map((r) => {
    if (r.iteration + offset < previous) offset = previous - r.iteration + 1;
    previous = r.iteration + offset;
    return previous;
  });
}

/** "Nice" linear ticks (1, 2, 5 × 10^k steps) covering [min, max]. */
export function linearTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return linearTicks(min - pad, max + pad, target);
  }
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) {
    if (t >= min - step * 1e-9) ticks.push(Number(t.toPrecision(12)));
  }
  if (ticks[0]! > min) ticks.unshift(Number((ticks[0]! - step).toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Decade ticks (10^k) covering [min, max] (both > 0), at least two. */
export function logTicks(min: number, max: number): number[] {
  let lo = Math.floor(Math.log10(min));
  let hi = Math.ceil(Math.log10(max));
  if (hi === lo) hi += 1;
  const ticks: number[] = [];
  const stride = Math.max(1, Math.ceil((hi - lo) / 8));
  lo -= ((lo % stride) + stride) % stride;
  for (let k = lo; k <= hi; k += stride) ticks.push(10 ** k);
  if (ticks[ticks.length - 1]! < max) ticks.push(10 ** (lo + Math.ceil((hi - lo) / stride) * stride));
  return ticks;
}

function formatTick(v: number, log: boolean): string {
  if (log) return `1e${Math.round(Math.log10(v))}`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(6)));
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toFixed(1);

/** A panel's plotting area, in SVG coordinates. */
interface PanelBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

type Point = { x: number; y: number };

function renderPanel(panel: Panel, rows: readonly MetricsRow[], xs: number[], top: number, xTicks: number[]) {
  const box: PanelBox = { left: LEFT, right: WIDTH - RIGHT, top, bottom: top + PANEL_HEIGHT };
  const { left, right } = box;
  const points = rows
    .map((r, i) => ({ x: xs[i]!, y: panel.value(r) }))
    .filter((p) => Number.isFinite(p.y) && (!panel.log || p.y > 0));
  const parts: string[] = [];
  parts.push(
    `<g class="panel" data-panel="${panel.key}">`,
    `<rect x="${left}" y="${top}" width="${right - left}" height="${PANEL_HEIGHT}" fill="#ffffff"/>`,
    `<text x="${left}" y="${top - 8}" font-size="13" font-weight="bold" ${FONT} fill="#222222">${escapeXml(`${panel.label} (${panel.unit})`)}</text>`,
  );
  const xMin = xTicks[0]!;
  const xMax = xTicks[xTicks.length - 1]!;
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (right - left);
  parts.push(...xAxis(box, xTicks, sx));
  if (points.length === 0) {
    parts.push(
      `<rect x="${left}" y="${top}" width="${right - left}" height="${PANEL_HEIGHT}" fill="none" stroke="#444444" stroke-width="1"/>`,
      `<text x="${fmt((left + right) / 2)}" y="${fmt(top + PANEL_HEIGHT / 2)}" font-size="13" text-anchor="middle" ${FONT} fill="#777777">no values recorded</text>`,
      '</g>',
    );
    return parts.join('\n');
  }
  const y = yAxis(panel, points, box);
  parts.push(...y.parts, ...series(panel, points, box, sx, y.sy), '</g>');
  return parts.join('\n');
}

/** The vertical grid lines and the iteration ticks under the panel. */
function xAxis(box: PanelBox, xTicks: number[], sx: (x: number) => number): string[] {
  return xTicks.flatMap((t) => {
    const x = fmt(sx(t));
    return [
      `<line x1="${x}" y1="${box.top}" x2="${x}" y2="${box.bottom}" stroke="#e5e5e5" stroke-width="1"/>`,
      `<line x1="${x}" y1="${box.bottom}" x2="${x}" y2="${box.bottom + 5}" stroke="#444444" stroke-width="1"/>`,
      `<text x="${x}" y="${box.bottom + 18}" font-size="11" text-anchor="middle" ${FONT} fill="#333333">${escapeXml(formatTick(t, false))}</text>`,
    ];
  });
}

/** The value scale that holds every point (from 0, or logarithmic), with its grid lines and ticks. */
function yAxis(panel: Panel, points: Point[], box: PanelBox): { sy: (v: number) => number; parts: string[] } {
  const ys = points.map((p) => p.y);
  const yMinRaw = Math.min(...ys);
  const yMaxRaw = Math.max(...ys);
  const yTicks = panel.log ? logTicks(yMinRaw, yMaxRaw) : linearTicks(Math.min(0, yMinRaw), yMaxRaw);
  const tr = (v: number) => (panel.log ? Math.log10(v) : v);
  const yLo = tr(yTicks[0]!);
  const yHi = tr(yTicks[yTicks.length - 1]!);
  const sy = (v: number) => box.bottom - ((tr(v) - yLo) / (yHi - yLo)) * PANEL_HEIGHT;
  const parts = yTicks.flatMap((t) => {
    const y = fmt(sy(t));
    return [
      `<line x1="${box.left}" y1="${y}" x2="${box.right}" y2="${y}" stroke="#e5e5e5" stroke-width="1"/>`,
      `<line x1="${box.left - 5}" y1="${y}" x2="${box.left}" y2="${y}" stroke="#444444" stroke-width="1"/>`,
      `<text x="${box.left - 8}" y="${y}" dy="4" font-size="11" text-anchor="end" ${FONT} fill="#333333">${escapeXml(formatTick(t, panel.log))}</text>`,
    ];
  });
  return { sy, parts };
}

/** The panel's frame, its line (with a dot per point when there are few) and its final value. */
function series(
  panel: Panel,
  points: Point[],
  box: PanelBox,
  sx: (x: number) => number,
  sy: (v: number) => number,
): string[] {
  const { left, right, top } = box;
  const coords = points.map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`);
  const parts = [
    `<rect x="${left}" y="${top}" width="${right - left}" height="${PANEL_HEIGHT}" fill="none" stroke="#444444" stroke-width="1"/>`,
    `<polyline class="series" data-series="${panel.key}" fill="none" stroke="${panel.color}" stroke-width="2" stroke-linejoin="round" points="${coords.join(' ')}"/>`,
  ];
  if (points.length <= 60) {
    for (const c of coords) {
      const [cx, cy] = c.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${panel.color}"/>`);
    }
  }
  const last = points[points.length - 1]!;
  parts.push(
    `<text x="${right - 6}" y="${top + 16}" font-size="12" text-anchor="end" ${FONT} fill="${panel.color}">${escapeXml(
      `final ${panel.log ? last.y.toExponential(3) : last.y.toFixed(panel.key === 'rmse-energy' ? 2 : 1)}`,
    )}</text>`,
  );
  return parts;
}

/** The SVG document for these rows (an empty table gives panels saying "no values recorded"). */
export function renderLearningCurveSvg(
  rows: readonly MetricsRow[],
  options: LearningCurveOptions = {},
): string {
  const xs = cumulativeIterations(rows);
  const xTicks =
    xs.length > 0 ? linearTicks(Math.min(0, xs[0]!), Math.max(xs[xs.length - 1]!, 1), 8) : [0, 1];
  const height = TOP + PANELS.length * (PANEL_HEIGHT + GAP) + 24;
  const title = options.title ?? 'pacemaker fit: learning curve';
  const body = PANELS.map((panel, i) =>
    renderPanel(panel, rows, xs, TOP + 18 + i * (PANEL_HEIGHT + GAP), xTicks),
  );
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fafafa"/>`,
    `<text x="${WIDTH / 2}" y="28" font-size="17" font-weight="bold" text-anchor="middle" ${FONT} fill="#111111">${escapeXml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="46" font-size="11" text-anchor="middle" ${FONT} fill="#555555">${escapeXml(
      `${rows.length} iteration${rows.length === 1 ? '' : 's'} recorded; x axis: iteration`,
    )}</text>`,
    ...body,
    `<text x="${(LEFT + WIDTH - RIGHT) / 2}" y="${height - 8}" font-size="12" text-anchor="middle" ${FONT} fill="#333333">iteration</text>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** pacemaker's metrics table (text) → SVG; throws MetricsTableError for a table it cannot read. */
export function learningCurveSvgFromTable(text: string, options: LearningCurveOptions = {}): string {
  return renderLearningCurveSvg(parseMetricsTable(text), options);
}
