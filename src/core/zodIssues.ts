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

/**
 * The alternatives of a union, closest first: an alternative whose only complaint is that the
 * input is not of its kind at all (`null` for an object, another literal) comes after one that
 * took the input and found a field wrong inside it; then fewer problems first.
 */
function rankBranches(errors: readonly (readonly z.core.$ZodIssue[])[]) {
  return errors
    .map((issues) => {
      const notThisKind = issues.every(
        (i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value"),
      );
      return { issues, rank: (notThisKind ? 1_000_000 : 0) + issues.length };
    })
    .sort((a, b) => a.rank - b.rank);
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
      const branches = rankBranches(issue.errors);
      const best = branches[0];
      if (best !== undefined && best.issues.length > 0) {
        // Alternatives that fail equally, each on a different field it needs (a `{ dataset }`,
        // a `{ flat }` or a `{ time_of_use }`): name them all rather than pick one at random.
        const tied = branches.filter((b) => b.rank === best.rank && b.issues.length === 1);
        const fields = tied.map((b) => b.issues[0]?.path[0]).filter((f) => typeof f === "string");
        if (tied.length > 1 && fields.length === tied.length && new Set(fields).size > 1) {
          out.push({
            path,
            expected: `an object with one of the fields ${[...new Set(fields)].join(", ")}`,
            received: valueAt(raw, path),
          });
          continue;
        }
        const nested = best.issues.map((i) => ({ ...i, path: [...path, ...i.path] }));
        out.push(...fromZodIssues(nested as z.core.$ZodIssue[], raw));
        continue;
      }
    }
    out.push({ path, expected: issue.message, received: valueAt(raw, path) });
  }
  return out;
}
