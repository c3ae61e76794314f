import assert from "node:assert/strict";
import { test } from "node:test";
import { LeakageError } from "../forecast/problem.js";
import { FeederError } from "../grid/feeder.js";
import { PowerFlowError } from "../grid/powerflow.js";
import { GridshareError, InputError, InvariantError, invariant } from "./errors.js";

test("errors: the grid's and the forecasts' errors are GridshareErrors with stable codes and exit codes", () => {
  const feeder = new FeederError("line L1 closes a loop", "Lines.csv line 3");
  assert.ok(feeder instanceof InputError);
  assert.equal(feeder.code, "E_DATA_INVALID");
  assert.equal(feeder.exitCode, 2);
  assert.equal(feeder.message, "Lines.csv line 3: line L1 closes a loop");
  assert.deepEqual(feeder.details, { where: "Lines.csv line 3" });

  const flow = new PowerFlowError("the voltage at bus 7 collapsed", "7");
  assert.ok(flow instanceof InputError);
  assert.equal(flow.code, "E_NOT_CONVERGED");
  assert.equal(flow.bus, "7");

  const leak = new LeakageError("target hour 24 read at origin 24");
  assert.ok(leak instanceof GridshareError);
  assert.ok(!(leak instanceof InputError), "leakage is a bug, not bad input");
  assert.equal(leak.code, "E_FORECAST_LEAKAGE");
  assert.equal(leak.exitCode, 1);
});

test("errors: invariant() throws an InvariantError (exit 1) only when the condition is false", () => {
  assert.doesNotThrow(() => invariant(1 + 1 === 2, "arithmetic"));
  assert.throws(
    () => invariant(false, "a broken invariant"),
    (e: unknown) =>
      e instanceof InvariantError &&
      e.code === "E_INTERNAL" &&
      e.exitCode === 1 &&
      e.message === "a broken invariant",
  );
});
