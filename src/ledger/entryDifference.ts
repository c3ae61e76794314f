/**
 * Saying in words where a block's recorded entry differs from the entry re-running its market
 * gives: the first differing field, with both values.
 */
/** The first field where a re-run entry and the recorded one differ, in words. */
export function entryDifference(
  rerun: string | undefined,
  recorded: string | undefined,
  rerunCount: number,
  recordedCount: number,
): string {
  if (rerun === undefined || recorded === undefined)
    return `the re-run gives ${rerunCount} entries, the block records ${recordedCount}`;
  const diff = firstDifference(JSON.parse(rerun), JSON.parse(recorded), "");
  if (diff === undefined) return "the entries differ in their bytes only";
  const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));
  return `${diff.path || "the entry"}: the re-run gives ${show(diff.rerun)}, the block records ${show(diff.recorded)}`;
}

function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { path: string; rerun: unknown; recorded: unknown } | undefined {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        path === "" ? k : `${path}.${k}`,
      );
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : { path, rerun: a, recorded: b };
}
