import { spawn as spawnChild } from "node:child_process";
import { cp, readFile } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { HudkitError } from "@hudkit/core";
import type {
  ContainerAccess,
  ContainerProcess,
  ExecCaptureOptions,
  ExecResult,
  SpawnOptions,
} from "../container/container-access.js";

/**
 * A {@link ContainerAccess} that runs commands on this machine with `bash`, for tests that need
 * real processes without Docker. There is no isolation: `user` is ignored, and every path
 * (`workdir`, upload targets, `readFile`) is resolved against `root`, so absolute paths are the
 * host's own. A `tty` is only emulated: no pseudo-terminal is allocated, stderr is merged into
 * stdout as a terminal would show it, and `resize` does nothing.
 *
 * @example
 * ```ts
 * const access = createLocalContainerAccess(await mkdtemp(path.join(tmpdir(), "box-")));
 * const { stdout } = await access.exec("echo hi > a.txt; cat a.txt"); // "hi\n"
 * ```
 */
export function createLocalContainerAccess(root: string): ContainerAccess {
  const spawn = async (
    command: string | undefined,
    options: SpawnOptions = {},
  ): Promise<ContainerProcess> => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    if (options.tty?.term !== undefined) env.TERM = options.tty.term;
    const child = spawnChild("bash", command === undefined ? ["-l"] : ["-c", command], {
      cwd: path.resolve(root, options.workdir ?? "."),
      env,
      // Its own process group, so kill() also ends what the command started (`sleep` in a script).
      detached: true,
      stdio: "pipe",
    });
    const exited = new Promise<number>((resolve) => {
      child.once("error", () => resolve(-1));
      child.once("close", (code) => resolve(code ?? -1));
    });
    let stdout: Readable = child.stdout!;
    let stderr: Readable = child.stderr!;
    if (options.tty !== undefined) {
      const merged = new PassThrough();
      let open = 2;
      for (const stream of [stdout, stderr]) {
        stream.pipe(merged, { end: false });
        stream.once("end", () => --open === 0 && merged.end());
      }
      stdout = merged;
      stderr = Readable.from([]);
    }
    const kill = async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await exited;
    };
    const onAbort = () => void kill();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    void exited.then(() => options.signal?.removeEventListener("abort", onAbort));
    child.stdin!.on("error", () => {});
    return { stdin: child.stdin!, stdout, stderr, exited, resize: async () => {}, kill };
  };

  const exec = async (command: string, options: ExecCaptureOptions = {}): Promise<ExecResult> => {
    options.signal?.throwIfAborted();
    const child = await spawn(command, options);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin.end(options.stdin);
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            void child.kill();
          }, options.timeoutMs);
    const exitCode = await child.exited;
    clearTimeout(timer);
    if (timedOut) throw new HudkitError("exec-timeout", `command timed out after ${options.timeoutMs} ms`);
    options.signal?.throwIfAborted();
    const tail = (chunks: Buffer[]) => {
      const all = Buffer.concat(chunks);
      return all.subarray(Math.max(0, all.length - (options.maxOutputBytes ?? 1024 * 1024))).toString("utf8");
    };
    return { exitCode, stdout: tail(stdout), stderr: tail(stderr) };
  };

  return {
    exec,
    spawn,
    upload: async (localDir, containerDir) => {
      await cp(localDir, path.resolve(root, containerDir), { recursive: true, force: true });
    },
    readFile: async (file) => {
      try {
        return await readFile(path.resolve(root, file));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
  };
}
