/**
 * Small, dependency-free SVG charts for the self-contained report: line, grouped bar, and
 * Lorenz charts with axes, gridlines, ticks and a legend. Output is static SVG markup.
 */

export const PALETTE = [
  "#2563eb",
  "#16a34a",
  "#f59e0b",
  "#dc2626",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#ea580c",
  "#475569",
];

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
  readonly color?: string;
  readonly dashed?: boolean;
  readonly width?: number;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

const frame = (width: number, height: number): Frame => ({
  width,
  height,
  left: 64,
  right: 16,
  top: 16,
  bottom: 30,
});

/** "Nice" tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.round(v / step) * step);
  if ((out[out.length - 1] as number) < hi) out.push((out[out.length - 1] as number) + step);
  return out;
}

export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (a >= 100 || v === 0) return v.toFixed(0);
  if (a >= 1) return Number(v.toFixed(2)).toString();
  return Number(v.toPrecision(2)).toString();
}

function yAxis(
  f: Frame,
  ticks: readonly number[],
  y: (v: number) => number,
  label: string,
): string {
  const lines = ticks
    .map((t) => {
      const py = y(t).toFixed(1);
      return `<line x1="${f.left}" x2="${f.width - f.right}" y1="${py}" y2="${py}" class="grid"/><text x="${f.left - 6}" y="${py}" class="tick" text-anchor="end" dominant-baseline="middle">${esc(formatTick(t))}</text>`;
    })
    .join("");
  const mid = (f.top + f.height - f.bottom) / 2;
  return `${lines}<text transform="translate(14 ${mid}) rotate(-90)" class="axis-label" text-anchor="middle">${esc(label)}</text>`;
}

function xLabelsSvg(
  f: Frame,
  labels: readonly string[],
  x: (i: number) => number,
  maxLabels = 14,
): string {
  const every = Math.max(1, Math.ceil(labels.length / maxLabels));
  return labels
    .map((l, i) =>
      i % every === 0
        ? `<text x="${x(i).toFixed(1)}" y="${f.height - f.bottom + 16}" class="tick" text-anchor="middle">${esc(l)}</text>`
        : "",
    )
    .join("");
}

/** The legend, as HTML under the chart (it wraps however many series there are). */
function legend(
  series: readonly { name: string; color: string; dashed?: boolean | undefined }[],
): string {
  if (series.length === 0) return "";
  const items = series
    .map(
      (s) =>
        `<span class="key"><svg width="22" height="10" aria-hidden="true"><line x1="1" x2="21" y1="5" y2="5" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/></svg>${esc(s.name)}</span>`,
    )
    .join("");
  return `<div class="legend">${items}</div>`;
}

function figure(svg: string, legendHtml: string): string {
  return `<figure>${svg}${legendHtml}</figure>`;
}

function svgOpen(f: Frame, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${esc(title)}">`;
}

function extent(values: Iterable<number | null>, includeZero: boolean): [number, number] {
  let lo = includeZero ? 0 : Number.POSITIVE_INFINITY;
  let hi = includeZero ? 0 : Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return [lo, hi];
}

/** A line chart over shared x labels; null values break the line. */
export function lineChart(opts: {
  title: string;
  xLabels: readonly string[];
  series: readonly Series[];
  yLabel: string;
  width?: number;
  height?: number;
  includeZero?: boolean;
  yMin?: number;
  yMax?: number;
}): string {
  const f = frame(opts.width ?? 880, opts.height ?? 320);
  const all = opts.series.flatMap((s) => s.values);
  let [lo, hi] = extent(all, opts.includeZero ?? true);
  if (opts.yMin !== undefined) lo = opts.yMin;
  if (opts.yMax !== undefined) hi = opts.yMax;
  const ticks = niceTicks(lo, hi);
  const t0 = ticks[0] as number;
  const t1 = ticks[ticks.length - 1] as number;
  const n = opts.xLabels.length;
  // One x value (a run inside one month) sits in the middle of the plot.
  const x = (i: number) => f.left + (n <= 1 ? 0.5 : i / (n - 1)) * (f.width - f.left - f.right);
  const y = (v: number) => f.top + (1 - (v - t0) / (t1 - t0 || 1)) * (f.height - f.top - f.bottom);
  const colored = opts.series.map((s, k) => ({
    ...s,
    color: s.color ?? (PALETTE[k % PALETTE.length] as string),
  }));
  const drawn = (v: number | null | undefined): v is number => v != null && Number.isFinite(v);
  const paths = colored
    .map((s) => {
      let d = "";
      let dots = "";
      let pen = false;
      s.values.forEach((v, i) => {
        if (!drawn(v)) {
          pen = false;
          return;
        }
        d += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
        // A value with no drawn neighbour would be a line of no length: mark it with a dot.
        if (!pen && !drawn(s.values[i + 1]))
          dots += `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`;
        pen = true;
      });
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.8}"${s.dashed ? ' stroke-dasharray="5 3"' : ""} stroke-linejoin="round"/>${dots}`;
    })
    .join("");
  return figure(
    `${svgOpen(f, opts.title)}${yAxis(f, ticks, y, opts.yLabel)}${xLabelsSvg(f, opts.xLabels, x)}${paths}</svg>`,
    legend(colored),
  );
}

/** Grouped bars: one group per category, one bar per series. Negative values go below zero. */
export function barChart(opts: {
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  yLabel: string;
  width?: number;
  height?: number;
  /** Colour bars below zero in this colour (single-series charts). */
  negativeColor?: string;
  rotateLabels?: boolean;
}): string {
  const f = {
    ...frame(opts.width ?? 880, opts.height ?? 320),
    bottom: opts.rotateLabels ? 80 : 30,
  };
  const [lo, hi] = extent(
    opts.series.flatMap((s) => s.values),
    true,
  );
  const ticks = niceTicks(lo, hi);
  const t0 = ticks[0] as number;
  const t1 = ticks[ticks.length - 1] as number;
  const y = (v: number) => f.top + (1 - (v - t0) / (t1 - t0 || 1)) * (f.height - f.top - f.bottom);
  const groups = opts.categories.length;
  const groupW = (f.width - f.left - f.right) / Math.max(1, groups);
  const barW = Math.max(1, (groupW * 0.8) / opts.series.length);
  const colored = opts.series.map((s, k) => ({
    ...s,
    color: s.color ?? (PALETTE[k % PALETTE.length] as string),
  }));
  let bars = "";
  colored.forEach((s, k) => {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const x0 = f.left + i * groupW + groupW * 0.1 + k * barW;
      const ya = y(Math.max(0, v));
      const yb = y(Math.min(0, v));
      const color = v < 0 && opts.negativeColor ? opts.negativeColor : s.color;
      bars += `<rect x="${x0.toFixed(1)}" y="${ya.toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${Math.max(0.5, yb - ya).toFixed(1)}" fill="${color}"><title>${esc(`${opts.categories[i]}: ${s.name} ${formatTick(v)}`)}</title></rect>`;
    });
  });
  const center = (i: number) => f.left + i * groupW + groupW / 2;
  const every = Math.max(1, Math.ceil(groups / (opts.rotateLabels ? 40 : 14)));
  const labels = opts.categories
    .map((c, i) => {
      if (i % every !== 0) return "";
      if (!opts.rotateLabels)
        return `<text x="${center(i).toFixed(1)}" y="${f.height - f.bottom + 16}" class="tick" text-anchor="middle">${esc(c)}</text>`;
      const ly = f.height - f.bottom + 10;
      return `<text transform="translate(${center(i).toFixed(1)} ${ly}) rotate(-60)" class="tick" text-anchor="end">${esc(c)}</text>`;
    })
    .join("");
  const zero = `<line x1="${f.left}" x2="${f.width - f.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#334155" stroke-width="1"/>`;
  const showLegend = opts.series.length > 1 ? legend(colored) : "";
  return figure(
    `${svgOpen(f, opts.title)}${yAxis(f, ticks, y, opts.yLabel)}${bars}${zero}${labels}</svg>`,
    showLegend,
  );
}

/** A Lorenz curve with the line of equality. */
export function lorenzChart(opts: {
  title: string;
  points: readonly { x: number; y: number }[];
  label: string;
  width?: number;
  height?: number;
}): string {
  const f = { ...frame(opts.width ?? 420, opts.height ?? 380), bottom: 48 };
  const ys = opts.points.map((p) => p.y);
  const lo = Math.min(0, ...ys);
  const hi = Math.max(1, ...ys);
  const ticks = niceTicks(lo, hi);
  const t0 = ticks[0] as number;
  const t1 = ticks[ticks.length - 1] as number;
  const x = (v: number) => f.left + v * (f.width - f.left - f.right);
  const y = (v: number) => f.top + (1 - (v - t0) / (t1 - t0 || 1)) * (f.height - f.top - f.bottom);
  const d = opts.points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`)
    .join("");
  const xt = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<text x="${x(v).toFixed(1)}" y="${f.height - f.bottom + 16}" class="tick" text-anchor="middle">${v * 100}%</text>`,
    )
    .join("");
  const series = [
    { name: opts.label, color: PALETTE[0] as string },
    { name: "equal shares", color: "#94a3b8", dashed: true },
  ];
  return figure(
    `${svgOpen(f, opts.title)}${yAxis(f, ticks, y, "cumulative share of savings")}${xt}<text x="${(f.left + f.width - f.right) / 2}" y="${f.height - f.bottom + 34}" class="axis-label" text-anchor="middle">homes, from the lowest saving</text><path d="M${x(0)} ${y(0)}L${x(1)} ${y(1)}" stroke="#94a3b8" stroke-dasharray="5 3" fill="none"/><path d="${d}" fill="none" stroke="${PALETTE[0]}" stroke-width="2.2"/></svg>`,
    legend(series),
  );
}
