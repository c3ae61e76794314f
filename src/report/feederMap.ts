/**
 * A feeder drawn from its bus coordinates: lines in grey, each bus a dot coloured by a value
 * (e.g. hosting capacity) on a sequential scale, with a colour legend. Static SVG.
 */
import { invariant } from "../core/errors.js";
import type { Feeder } from "../grid/feeder.js";
import { formatTick, niceTicks } from "./charts.js";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A perceptually ordered scale from dark blue (low) to yellow (high), t in [0, 1]. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function colourAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const w = x - i;
  const a = STOPS[i] as [number, number, number];
  const b = STOPS[i + 1] as [number, number, number];
  const c = a.map((v, k) => Math.round(v + w * ((b[k] as number) - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function feederMap(opts: {
  feeder: Feeder;
  values: ArrayLike<number>;
  title: string;
  unit: string;
  width?: number;
}): string {
  const f = opts.feeder;
  const coords = f.spec.coords;
  invariant(coords, "the feeder has no bus coordinates (Buscoords.csv): callers check first");
  const pts = f.buses.map((b) => coords.get(b));
  const known = pts.filter((p): p is readonly [number, number] => p !== undefined);
  const xs = known.map((p) => p[0]);
  const ys = known.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const width = opts.width ?? 900;
  const plotW = width - 120;
  const plotH = Math.round((plotW * (y1 - y0)) / Math.max(1e-9, x1 - x0));
  const height = plotH + 60;
  const px = (x: number) => 10 + ((x - x0) / Math.max(1e-9, x1 - x0)) * plotW;
  const py = (y: number) => 40 + plotH - ((y - y0) / Math.max(1e-9, y1 - y0)) * plotH;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < f.buses.length; b++) {
    const v = opts.values[b] as number;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi > lo)) hi = lo + 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="600">${esc(opts.title)}</text>`,
  ];
  for (let b = 1; b < f.buses.length; b++) {
    const a = pts[f.parent[b] as number];
    const p = pts[b];
    if (!a || !p) continue;
    parts.push(
      `<line x1="${px(a[0]).toFixed(1)}" y1="${py(a[1]).toFixed(1)}" x2="${px(p[0]).toFixed(1)}" y2="${py(p[1]).toFixed(1)}" stroke="#cbd5e1" stroke-width="1.5"/>`,
    );
  }
  for (let b = 0; b < f.buses.length; b++) {
    const p = pts[b];
    if (!p) continue;
    const v = opts.values[b] as number;
    parts.push(
      `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.6" fill="${colourAt((v - lo) / (hi - lo))}"><title>bus ${esc(f.buses[b] as string)}: ${formatTick(v)} ${esc(opts.unit)}</title></circle>`,
    );
  }
  // Legend: a vertical colour bar with ticks.
  const lx = width - 90;
  const ly = 50;
  const lh = Math.min(260, plotH - 20);
  for (let i = 0; i < 50; i++)
    parts.push(
      `<rect x="${lx}" y="${(ly + lh - ((i + 1) * lh) / 50).toFixed(1)}" width="14" height="${(lh / 50 + 0.5).toFixed(1)}" fill="${colourAt(i / 49)}"/>`,
    );
  for (const t of niceTicks(lo, hi, 5)) {
    if (t < lo || t > hi) continue;
    const y = ly + lh - ((t - lo) / (hi - lo)) * lh;
    parts.push(`<text x="${lx + 20}" y="${(y + 4).toFixed(1)}">${formatTick(t)}</text>`);
  }
  parts.push(`<text x="${lx}" y="${ly - 10}">${esc(opts.unit)}</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}
