import { type ChildProcess, spawn } from "node:child_process";
import { HudkitError } from "../errors/hudkit-error.js";
import { terminateGroup } from "./group-termination.js";
import { trackLiveGroup } from "./live-children.js";
import { OutputTail } from "./output-tail.js";
import type { Endpoint, Substrate } from "./provider.js";

const ANNOUNCE = "HUD_SERVE_PORT=";
/**
 * After the child exits, its pipes may still deliver the last lines (its error message), but a
 * grandchild that inherited them can keep them open forever: wait this long at most.
 */
const DRAIN_AFTER_EXIT_MS = 250;

/** How to start one env child. */
export interface SpawnEnvOptions {
  /** The env as the user named it, for messages. */
  readonly source: string;
  /** Script and arguments after `node [nodeArgs]`. */
  readonly args: readonly string[];
  readonly nodeArgs: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly readyTimeoutMs: number;
  readonly graceMs: number;
  readonly signal: AbortSignal;
  /**
   * Started ahead of need: until {@link SpawnedEnv.foreground}, neither the child, its pipes nor
   * the ready timer keep this process's event loop alive, so a program that is done can exit
   * (and its exit hook kills the child).
   */
  readonly background?: boolean;
}

/** A served env child process: the substrate a `localRuntime` rollout gets. */
export interface EnvProcess extends Substrate {
  /** The child's pid, which is also its process group id. */
  readonly pid: number;
  /** The last 50 lines of the child's stdout and stderr. */
  logs(): Promise<string>;
}

/** An {@link EnvProcess} as its runtime sees it, with what a pool of children started ahead needs. */
export interface SpawnedEnv extends EnvProcess {
  /** True once the child has exited, whatever the reason. */
  hasExited(): boolean;
  /** Lets the child and its pipes keep this process alive again, as a child started on demand does. */
  foreground(): void;
}

/**
 * Spawns `node <script>` in its own process group, waits for it to print `HUD_SERVE_PORT=<port>`,
 * and returns it as a substrate whose disposal terminates the whole group (SIGTERM, `graceMs`,
 * SIGKILL). On every failure (the child exits first: `env-exited`; it stays silent past
 * `readyTimeoutMs`: `env-ready-timeout`; `signal` aborts: its reason) the group is killed before
 * the promise rejects.
 *
 * @example
 * ```ts
 * await using child = await spawnEnvProcess({ source: "env.ts", args: [bundle], ... });
 * await connect(child.endpoint.url);
 * ```
 */
export async function spawnEnvProcess(options: SpawnEnvOptions): Promise<SpawnedEnv> {
  options.signal.throwIfAborted();
  let announced: ((port: number) => void) | undefined;
  const tail = new OutputTail((line) => {
    if (line.startsWith(ANNOUNCE)) announced?.(Number(line.slice(ANNOUNCE.length)));
  });
  // stdin stays an open pipe the child never reads from us: when this process dies, however it
  // dies, the pipe closes and the child (run with --exit-with-stdin) takes its group down.
  const child = spawn(process.execPath, [...options.nodeArgs, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdout!.on("data", tail.writer());
  child.stderr!.on("data", tail.writer());
  // The child may exit before reading; a write to it never happens, but an EPIPE must not throw.
  child.stdin!.on("error", () => {});

  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once("error", resolve));
    throw new HudkitError(
      "env-spawn-failed",
      `cannot start node for env ${options.source}: ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const untrack = trackLiveGroup(pid, options.graceMs);
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      hasExited = true;
      resolve();
    } else {
      child.once("exit", () => {
        hasExited = true;
        resolve();
      });
    }
  });
  if (options.background === true) setReferenced(child, false);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      try {
        await terminateGroup(pid, options.graceMs, exited);
      } finally {
        untrack();
        child.stdin?.destroy();
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    })();
    return stopping;
  };

  try {
    const port = await waitForAnnounce(child, tail, options, (resolve) => {
      announced = resolve;
    });
    const endpoint: Endpoint = {
      url: `tcp://127.0.0.1:${port}`,
      token: options.env.HUD_CONTROL_TOKEN || undefined,
      readyTimeoutMs: options.readyTimeoutMs,
    };
    return {
      endpoint,
      pid,
      logs: async () => {
        // A child that is dying (the usual reason to ask) may still have its last words in the
        // pipes: wait a moment for it to exit and its output to drain.
        await settleOutput(child);
        return tail.text();
      },
      hasExited: () => hasExited,
      foreground: () => setReferenced(child, true),
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Whether the child and its pipes count as work that keeps this process's event loop alive. */
function setReferenced(child: ChildProcess, referenced: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr]) {
    // Pipes are net.Sockets at run time, which the stream types do not say.
    const refable = handle as unknown as { ref?: () => void; unref?: () => void } | null;
    if (referenced) refable?.ref?.();
    else refable?.unref?.();
  }
}

/** How long `logs()` waits for a child to finish writing and exit before answering. */
const LOGS_SETTLE_MS = 300;

/** Resolves once the child's output pipes have closed, or after {@link LOGS_SETTLE_MS}. */
function settleOutput(child: ChildProcess): Promise<void> {
  if (child.stdout?.closed !== false && child.stderr?.closed !== false) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, LOGS_SETTLE_MS);
    function done() {
      clearTimeout(timer);
      child.off("close", done);
      resolve();
    }
    child.once("close", done);
  });
}

function waitForAnnounce(
  child: ChildProcess,
  tail: OutputTail,
  options: SpawnEnvOptions,
  onAnnounce: (resolve: (port: number) => void) => void,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new HudkitError(
            "env-ready-timeout",
            `env ${options.source} did not serve within ${options.readyTimeoutMs / 1000} s: check its initialize hooks, or raise readyTimeoutMs\n${tail.text()}`,
          ),
        ),
      );
    }, options.readyTimeoutMs);
    if (options.background === true) timer.unref();
    const onAbort = () => settle(() => reject(options.signal.reason));
    options.signal.addEventListener("abort", onAbort, { once: true });
    onAnnounce((port) => settle(() => resolve(port)));
    child.once("error", (error) =>
      settle(() =>
        reject(
          new HudkitError("env-spawn-failed", `env ${options.source}: ${error.message}`, { cause: error }),
        ),
      ),
    );
    child.once("exit", (code, signal) => {
      const exited = () => {
        tail.flush();
        const how = code !== null ? `with code ${code}` : `on ${signal}`;
        settle(() =>
          reject(
            new HudkitError(
              "env-exited",
              `env ${options.source} exited ${how} before serving:\n${tail.text()}`,
            ),
          ),
        );
      };
      const drained = setTimeout(exited, DRAIN_AFTER_EXIT_MS);
      child.once("close", () => {
        clearTimeout(drained);
        exited();
      });
    });
  });
}
