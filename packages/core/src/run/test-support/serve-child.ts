/**
 * Serves an env file exactly as `bin/serve-env.ts` does (same arguments), and exits as soon as
 * its stdin closes. The parent holds the other end of that pipe, so an env outlives its parent
 * by moments only, even when the parent is killed with SIGKILL and cannot clean up.
 */
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
await import("../../bin/serve-env.js");
