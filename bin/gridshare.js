#!/usr/bin/env node
// The installed command: runs the compiled CLI (built by `npm install`, `npm test` or `npm run build`).
import { run } from "../dist/cli/main.js";

// A reader that stops early (`gridshare ... | head`) closes the pipe: that is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
process.exitCode = await run(process.argv.slice(2));
