import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** The monorepo root: every command runs from there, like the README's examples. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CLI_DIR = fileURLToPath(new URL("../../", import.meta.url));
/** The built binary, run as a real subprocess. */
export const HUD_BIN = `${CLI_DIR}dist/cli.js`;
/** Held while one test file rebuilds, so that parallel files do not build over each other. */
const BUILD_LOCK = `${CLI_DIR}.build-lock`;
/** A clean tsup build with declarations takes about 30 s on a busy machine. */
export const BUILD_TIMEOUT_MS = 180_000;

/** What a finished `hud` process left. */
export interface HudResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Builds the CLI when `dist/cli.js` is missing or older than a source file (`pnpm test` builds
 * first, so there it only checks).
 */
export async function ensureBuilt(): Promise<void> {
  for (;;) {
    if (!isStale()) return;
    try {
      mkdirSync(BUILD_LOCK);
    } catch {
      await sleep(500); // another test file is building
      continue;
    }
    try {
      if (isStale()) {
        execFileSync("pnpm", ["--filter", "@hudkit/cli", "build"], { cwd: REPO_ROOT, stdio: "ignore" });
      }
    } finally {
      rmSync(BUILD_LOCK, { recursive: true, force: true });
    }
  }
}

function isStale(): boolean {
  const built = statSync(HUD_BIN, { throwIfNoEntry: false });
  if (built === undefined) return true;
  const sources = [`${CLI_DIR}package.json`, `${CLI_DIR}tsup.config.ts`, ...sourceFiles(`${CLI_DIR}src`)];
  return sources.some((file) => statSync(file).mtimeMs > built.mtimeMs);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory())
      return entry.name === "fixtures" || entry.name === "test-support" ? [] : sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * Starts `node dist/cli.js <args>` from the repository root (or `cwd`), stdout and stderr collected.
 *
 * @example
 * ```ts
 * const hud = startHud(["serve", "examples/letter-count/env.ts", "--port", "0"]);
 * ```
 */
export function startHud(args: readonly string[], env: Record<string, string> = {}, cwd = REPO_ROOT) {
  const child = spawn(process.execPath, [HUD_BIN, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<HudResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  let result: HudResult | undefined;
  void exited.then((done) => {
    result = done;
  });
  return {
    child: child as ChildProcess,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    /** The result once the process has exited, else undefined. */
    result: () => result,
  };
}

/** A started `hud` process (see {@link startHud}). */
export type HudProcess = ReturnType<typeof startHud>;

/**
 * Waits until `check` finds what it looks for in a running `hud`; fails at once, with its
 * stderr, if the process exits first.
 */
export function waitForHud<T>(
  hud: HudProcess,
  what: string,
  check: () => T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(
    what,
    () => {
      const value = check();
      if (value !== undefined) return value;
      const exited = hud.result();
      if (exited !== undefined) {
        throw new Error(`hud exited (${exited.code ?? exited.signal}) before ${what}: ${exited.stderr}`);
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** Runs `hud <args>` to the end, from the repository root unless `cwd` says otherwise. */
export function runHud(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
): Promise<HudResult> {
  return startHud(args, env, cwd).exited;
}

/** The lines of a text, without the empty last one. */
export function linesOf(text: string): string[] {
  return text.split("\n").filter((line, index, all) => line !== "" || index < all.length - 1);
}

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
