#!/usr/bin/env node
/**
 * The `hud` binary. Exits once the command is done, so that nothing left open (a socket, a
 * timer) keeps a finished command alive.
 */
import { runCli } from "./program.js";

// `hud jobs list | head`: a reader that went away is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const code = await runCli(process.argv);
// Let what is still buffered for a pipe drain before exiting.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
process.exit(code);
