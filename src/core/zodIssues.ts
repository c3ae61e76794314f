/**
 * Turns zod's issues into gridshare's validation issues (path, expected, received), taking the
 * received value from the raw input so that messages show what the user actually wrote.
 */
import type { z } from "zod";
import type { IssuePath, ValidationIssue } from "./issues.js";

function valueAt(root: unknown, path: IssuePath): unknown {
  let v: unknown = root;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

/** One `ValidationIssue` per zod issue. The schema's error messages say what is expected. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          expected: "no such field (unknown field; check the spelling)",
          received: valueAt(raw, [...path, key]),
        });
      }
      continue;
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the alternative the input came closest to (fewest problems), not all of them.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (best.length > 0) {
        const nested = best.map((i) => ({ ...i, path: [...path, ...i.path] }));
        out.push(...fromZodIssues(nested as z.core.$ZodIssue[], raw));
        continue;
      }
    }
    out.push({ path, expected: issue.message, received: valueAt(raw, path) });
  }
  return out;
}
