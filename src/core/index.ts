export * from "./canonicalJson.js";
export * from "./errors.js";
export * from "./ids.js";
export * from "./issues.js";
export * from "./rng.js";
export * from "./time.js";
export * from "./units.js";
