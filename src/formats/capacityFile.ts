/** A battery's capacity per cycle: a CSV with a cycle column and a capacity column (NASA layout). */
import { InputError } from "../core/errors.js";
import { numberColumn, parseCsv } from "./csv.js";
import { readInputFile } from "./inputFile.js";

/** Cycles (increasing) and capacity, Ah. */
export async function readCapacityFile(
  path: string,
  columns: { readonly cycle: string; readonly capacity: string },
): Promise<{ cycles: number[]; capacity: number[] }> {
  const t = parseCsv(await readInputFile(path), path, { comment: "#" });
  const cycles = Array.from(numberColumn(t, columns.cycle));
  const capacity = Array.from(numberColumn(t, columns.capacity));
  for (let i = 1; i < cycles.length; i++)
    if ((cycles[i] as number) <= (cycles[i - 1] as number))
      throw new InputError(
        "E_DATA_INVALID",
        `${path}, line ${t.lines[i]}, field cycle: expected cycles in increasing order`,
      );
  return { cycles, capacity };
}
