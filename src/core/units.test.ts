import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  bigDivHalfEven,
  divHalfEven,
  energyCostMicro,
  fromMicro,
  kwhToWh,
  mulDivHalfEven,
  scaleToInt,
  toMicro,
  whToKwh,
} from "./units.js";

/** Exact reference: half-even scaling of a decimal string with BigInt only. */
function referenceScale(decimal: string, decimals: number): bigint {
  const negative = decimal.startsWith("-");
  const [intPart, fracPart = ""] = decimal.replace("-", "").split(".");
  const padded = (fracPart + "0".repeat(decimals + 1)).slice(
    0,
    Math.max(fracPart.length, decimals),
  );
  const whole = BigInt(`${intPart}${padded}`);
  const extra = padded.length - decimals;
  let r = whole;
  if (extra > 0) {
    const den = 10n ** BigInt(extra);
    r = bigDivHalfEven(whole, den);
  }
  return negative ? -r : r;
}

test("behavior: half-even ties on the written decimal, not its binary approximation", () => {
  assert.equal(scaleToInt(1.0005, 3), 1000); // 1000.5 -> even 1000 (binary 1.0005 is 1.000499999...)
  assert.equal(scaleToInt(1.0015, 3), 1002); // 1001.5 -> even 1002 (binary 1.0015 is 1.001499999...)
  assert.equal(scaleToInt(0.0005, 3), 0);
  assert.equal(scaleToInt(0.0015, 3), 2);
  assert.equal(scaleToInt(2.5, 0), 2);
  assert.equal(scaleToInt(3.5, 0), 4);
  assert.equal(scaleToInt(-2.5, 0), -2);
  assert.equal(scaleToInt(-0.0005, 3), 0);
  assert.ok(Object.is(scaleToInt(-0.0001, 3), 0), "no negative zero");
});

test("default: decimal kWh and currency to integer units and back", () => {
  assert.equal(kwhToWh(1.2), 1200);
  assert.equal(kwhToWh(0.001), 1);
  assert.equal(whToKwh(1234), 1.234);
  assert.equal(toMicro(0.3), 300_000);
  assert.equal(toMicro(0.000001), 1);
  assert.equal(toMicro(1e-7), 0);
  assert.equal(fromMicro(150_000), 0.15);
  assert.equal(kwhToWh(1e-20), 0);
  assert.equal(scaleToInt(1.5e21, 3), undefined, "beyond safe integers");
  assert.equal(scaleToInt(Number.NaN, 3), undefined);
  assert.equal(scaleToInt(Number.POSITIVE_INFINITY, 3), undefined);
});

test("property: scaleToInt equals exact decimal half-even rounding", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -999_999_999, max: 999_999_999 }),
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 0, max: 6 }),
      (mantissa, fracDigits, decimals) => {
        const text = (mantissa / 10 ** fracDigits).toString();
        if (/e/.test(text)) return; // reference handles plain notation only
        const x = Number(text);
        assert.equal(
          scaleToInt(x, decimals),
          Number(referenceScale(text, decimals)),
          `${text} @${decimals}`,
        );
      },
    ),
    { numRuns: 3000 },
  );
});

test("property: round trips whole units exactly", () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e12, max: 1e12 }), (wh) => {
      assert.equal(kwhToWh(whToKwh(wh)), wh);
      assert.equal(toMicro(fromMicro(wh)), wh);
    }),
  );
});

test("behavior: divHalfEven and mulDivHalfEven round half to even, exactly for huge products", () => {
  assert.equal(divHalfEven(5, 2), 2);
  assert.equal(divHalfEven(7, 2), 4);
  assert.equal(divHalfEven(-5, 2), -2);
  assert.equal(divHalfEven(-7, 2), -4);
  assert.equal(divHalfEven(1, 3), 0);
  assert.equal(divHalfEven(2, 3), 1);
  assert.equal(energyCostMicro(1500, 333_333), 500_000); // 499999.5 -> 500000 (even)
  assert.equal(energyCostMicro(500, 1), 0); // 0.5 -> 0
  assert.equal(energyCostMicro(1500, 1), 2); // 1.5 -> 2
  fc.assert(
    fc.property(
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
      fc.integer({ min: 1, max: 10_000 }),
      (a, b, den) => {
        const exact = bigDivHalfEven(BigInt(a) * BigInt(b), BigInt(den));
        assert.equal(mulDivHalfEven(a, b, den), Number(exact));
      },
    ),
  );
});
