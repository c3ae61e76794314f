export * from "./apportion.js";
export * from "./clearMarket.js";
export * from "./mechanisms.js";
export * from "./orderBook.js";
export * from "./priority.js";
export * from "./records.js";
export * from "./settle.js";
export * from "./types.js";
