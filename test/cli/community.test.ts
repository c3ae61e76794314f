import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { communityTemplate, parseCommunity } from "../../src/formats/communityFile.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "gridshare-cli-community-"));
const p = (name: string) => join(dir, name);

async function newKey(name: string): Promise<string> {
  const r = await runCli(["keys", "new", "--out", p(name)]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { public_key: string }).public_key;
}

const readCommunity = (name: string) =>
  parseCommunity(JSON.parse(readFileSync(p(name), "utf8")), name);

test("community init: an admin key and a block-signing key, written as a file that parses", async () => {
  const admin = await newKey("admin.key");
  const block = await newKey("signing.key");
  const r = await runCli([
    "community",
    "init",
    "--operator-key",
    p("admin.key"),
    "--block-key",
    p("signing.key"),
    "--out",
    p("two.json"),
    "--id",
    "fontana",
    "--name",
    "Fontana",
    "--time-zone",
    "Etc/GMT+8",
    "--currency",
    "USD",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /wrote .*two\.json: community fontana, 15-minute intervals, an admin key and a block-signing key/,
  );
  const doc = readCommunity("two.json");
  assert.deepEqual(doc.operator, { admin_public_key: admin, block_signing_public_key: block });
  assert.deepEqual(
    doc,
    communityTemplate(
      {
        adminPublicKey: admin,
        blockSigningPublicKey: block,
        id: "fontana",
        name: "Fontana",
        timeZone: "Etc/GMT+8",
        currency: "USD",
      },
      "t",
    ),
    "every field at its default",
  );
});

test("community init: one key serves both roles, given as a key file or as hex", async () => {
  const admin = await newKey("solo.key");
  for (const [key, out] of [
    [p("solo.key"), "one.json"],
    [admin, "hex.json"],
  ] as const) {
    const r = await runCli(["community", "init", "--operator-key", key, "--out", p(out)]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /one key for both operator roles/);
    const doc = readCommunity(out);
    assert.equal(doc.operator.admin_public_key, admin);
    assert.equal(doc.operator.block_signing_public_key, admin);
  }
});

test("community init: an existing file is kept unless --force", async () => {
  const key = await newKey("keep.key");
  writeFileSync(p("taken.json"), "mine\n");
  const r = await runCli([
    "community",
    "init",
    "--operator-key",
    p("keep.key"),
    "--out",
    p("taken.json"),
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /taken\.json: it already exists \(use --force to replace it\)/);
  assert.equal(readFileSync(p("taken.json"), "utf8"), "mine\n");
  const forced = await runCli([
    "community",
    "init",
    "--operator-key",
    p("keep.key"),
    "--out",
    p("taken.json"),
    "--force",
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readCommunity("taken.json").operator.admin_public_key, key);
});

test("community init: a bad key file or option is named, and nothing is written", async () => {
  writeFileSync(p("not-a-key.json"), '{"hello": 1}');
  await newKey("ok.key");
  const cases: [string[], RegExp][] = [
    [["--operator-key", p("missing.key")], /cannot read key file .*missing\.key: no such file/],
    [["--operator-key", p("ok.key"), "--block-key", p("not-a-key.json")], /not-a-key\.json/],
    [
      ["--operator-key", p("ok.key"), "--time-zone", "Mars/Olympus"],
      /bad\.json: time_zone: expected an IANA time zone name/,
    ],
    [
      ["--operator-key", p("ok.key"), "--currency", "euro"],
      /bad\.json: currency: expected a three-letter ISO 4217 currency code/,
    ],
  ];
  for (const [flags, message] of cases) {
    const r = await runCli(["community", "init", ...flags, "--out", p("bad.json")]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.throws(() => readFileSync(p("bad.json")), /ENOENT/);
  }
});

test("community schema prints the JSON Schema, its defaults those of the template", async () => {
  const r = await runCli(["community", "schema"]);
  assert.equal(r.code, 0, r.stderr);
  const schema = JSON.parse(r.stdout);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ["id", "name", "currency", "time_zone", "tariff", "operator"]);
  assert.deepEqual(schema.properties.interval_minutes.enum, [5, 10, 15, 20, 30, 60]);
  const template = communityTemplate({ adminPublicKey: "0".repeat(64) }, "t") as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(schema.properties), Object.keys(template));
  for (const [field, s] of Object.entries(
    schema.properties as Record<string, { default?: unknown }>,
  ))
    if (s.default !== undefined) assert.deepEqual(s.default, template[field], field);
});
