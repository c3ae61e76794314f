/**
 * A larger community drawn from a scenario's homes, for studies of scale: each drawn home is a
 * seeded copy of one of them, shifted in time and scaled.
 */
import { createRng } from "../core/rng.js";
import type { MemberInput } from "./types.js";

/** `a` rotated by `by` places (the last `by` values first). */
function rotate<T extends Float64Array | Uint8Array>(a: T, by: number): T {
  const n = a.length;
  const out = a.slice() as T;
  for (let i = 0; i < n; i++) out[i] = a[(((i - by) % n) + n) % n] as number;
  return out;
}

/**
 * `homes` homes drawn from `templates` (seeded): each a copy of a random template with its data
 * shifted in time by up to a week either way and its load and PV scaled. Ids are the template's
 * id with a draw number, e.g. Building_3#12.
 */
export function drawHomes(
  templates: readonly MemberInput[],
  homes: number,
  seed: number,
  stepMinutes: number,
): MemberInput[] {
  const rng = createRng(seed).fork("draw homes");
  const perDay = Math.round(1440 / stepMinutes);
  const out: MemberInput[] = [];
  for (let n = 1; n <= homes; n++) {
    const tpl = templates[rng.int(0, templates.length - 1)] as MemberInput;
    const shiftDays = rng.int(-7, 7);
    const loadScale = Math.exp(0.2 * rng.normal());
    const pvScale = 0.8 + 0.4 * rng.next();
    const by = shiftDays * perDay;
    out.push({
      ...tpl,
      id: `${tpl.id}#${n}`,
      name: `${tpl.name} #${n}`,
      loadKwh: rotate(tpl.loadKwh, by).map((v) => v * loadScale),
      pvKwh: tpl.pvKwh ? rotate(tpl.pvKwh, by).map((v) => v * pvScale) : null,
      pvKwp: tpl.pvKwp * pvScale,
      windKwh: tpl.windKwh ? rotate(tpl.windKwh, by) : null,
      estimated: tpl.estimated ? rotate(tpl.estimated, by) : null,
      source: {
        ...tpl.source,
        template: tpl.id,
        shift_days: shiftDays,
        load_scale: Math.round(loadScale * 1e4) / 1e4,
        pv_scale: Math.round(pvScale * 1e4) / 1e4,
      },
    });
  }
  return out;
}
