import { randomBytes } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { HudkitError } from "@hudkit/core";
import type Docker from "dockerode";
import { shellQuote } from "../shell-quote.js";
import type {
  ContainerAccess,
  ContainerProcess,
  ExecCaptureOptions,
  ExecOptions,
  ExecResult,
  SpawnOptions,
} from "./container-access.js";
import { capturedTail } from "./output-capture.js";
import { packFolder, unpackFirstFile } from "./tar-folder.js";

const DEFAULT_MAX_OUTPUT = 1024 * 1024;

// A non-tty command runs as its own process group (`set -m`) whose id is written to a file, so a
// timeout or an abort can kill everything it started: the engine has no "kill this exec" call.
// The wrapper's own stderr is dropped once the command started, so job-control notices
// ("[1]+ Exit 3 ...") never mix into the command's stderr.
const GROUP_WRAPPER =
  'set -m; bash -c "$1" & p=$!; exec 2>/dev/null; echo "$p" > "/tmp/.hudkit-exec-$2"; wait "$p"; s=$?; rm -f "/tmp/.hudkit-exec-$2"; exit "$s"';

// A tty command sets its terminal size itself before it starts: engines before API 1.42 take
// no initial size, and the resize call that follows the start can land after a quick command
// has already read a 0x0 terminal. It also holds the terminal open for 100 ms after the command
// ends: a loaded engine can otherwise close the attach before copying what a quick command
// printed, and the caller sees exit 0 with no output at all.
const TTY_WRAPPER = 'stty rows "$1" cols "$2" 2>/dev/null; shift 2; "$@"; s=$?; sleep 0.1; exit "$s"';

function envList(env: Record<string, string> | undefined): string[] | undefined {
  return env === undefined ? undefined : Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

function execSpec(cmd: string[], options: ExecOptions, tty: boolean): Docker.ExecCreateOptions {
  return {
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: tty,
    ...(options.user === undefined ? {} : { User: options.user }),
    ...(options.workdir === undefined ? {} : { WorkingDir: options.workdir }),
    ...(options.env === undefined ? {} : { Env: envList(options.env) }),
  };
}

/** How long the engine may take to record an exec's exit after its output ended. */
const EXIT_REPORT_WAIT_MS = 30_000;

/**
 * The exec's exit code once the engine reports it finished; -1 if it never says. The output
 * stream can end well before a loaded engine marks the exec finished, so this polls (backing off
 * from 10 ms to 250 ms) for up to {@link EXIT_REPORT_WAIT_MS}.
 */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  const deadline = Date.now() + EXIT_REPORT_WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const info = await exec.inspect().catch(() => undefined);
    if (info === undefined) return -1;
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    if (Date.now() >= deadline) return -1;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function streamEnded(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}

/**
 * A {@link ContainerAccess} over a running Docker container, through the engine's exec and archive
 * calls (no `docker` binary). Commands run as `bash -c`; a timed-out or aborted command has its
 * whole process group killed.
 *
 * @example
 * ```ts
 * const access = createDockerContainerAccess(new Docker(), container.id);
 * const { stdout } = await access.exec("id -un", { user: "agent" }); // "agent\n"
 * ```
 */
export function createDockerContainerAccess(docker: Docker, containerId: string): ContainerAccess {
  const container = docker.getContainer(containerId);

  async function killGroup(token: string): Promise<void> {
    const script = `for i in 1 2 3 4 5 6 7 8 9 10; do if [ -s /tmp/.hudkit-exec-${token} ]; then kill -KILL -- -"$(cat /tmp/.hudkit-exec-${token})" 2>/dev/null; exit 0; fi; sleep 0.1; done`;
    const exec = await container.exec({
      Cmd: ["bash", "-c", script],
      User: "root",
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    await streamEnded(stream);
  }

  async function exec(command: string, options: ExecCaptureOptions = {}): Promise<ExecResult> {
    const token = randomBytes(8).toString("hex");
    const child = await startGrouped(command, token, options);
    const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const stdout = capturedTail(child.stdout, max);
    const stderr = capturedTail(child.stderr, max);
    child.stdin.end(options.stdin ?? "");
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          void child.kill();
          reject(new HudkitError("exec-timeout", `command timed out after ${options.timeoutMs! / 1000}s`));
        }, options.timeoutMs);
      }
      const abort = (): void => {
        void child.kill();
        reject(options.signal!.reason);
      };
      if (options.signal?.aborted) abort();
      options.signal?.addEventListener("abort", abort, { once: true });
    });
    try {
      const exitCode = await Promise.race([child.exited, stopped]);
      return { exitCode, stdout: (await stdout).toString("utf8"), stderr: (await stderr).toString("utf8") };
    } finally {
      clearTimeout(timer);
    }
  }

  async function startGrouped(
    command: string,
    token: string,
    options: ExecOptions,
  ): Promise<ContainerProcess> {
    const child = await start(
      ["bash", "-c", GROUP_WRAPPER, "hudkit-exec", command, token],
      options,
      undefined,
    );
    return { ...child, kill: () => killGroup(token) };
  }

  async function start(
    cmd: string[],
    options: ExecOptions,
    tty: SpawnOptions["tty"],
  ): Promise<ContainerProcess> {
    const env = tty?.term === undefined ? options.env : { TERM: tty.term, ...options.env };
    const exec = await container.exec(
      execSpec(cmd, { ...options, ...(env ? { env } : {}) }, tty !== undefined),
    );
    const stream = await exec.start({ hijack: true, stdin: true, ...(tty ? { Tty: true } : {}) });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (tty) {
      stream.pipe(stdout);
      stderr.end();
    } else {
      docker.modem.demuxStream(stream, stdout, stderr);
      void streamEnded(stream).then(() => {
        stdout.end();
        stderr.end();
      });
    }
    // Listen for the end before any await: a quick command can end while we resize.
    const exited = streamEnded(stream).then(() => exitCodeOf(exec));
    const stdin = new PassThrough();
    stdin.pipe(stream as unknown as NodeJS.WritableStream);
    if (tty) await exec.resize({ h: tty.rows, w: tty.cols }).catch(() => undefined);
    return {
      stdin,
      stdout: stdout as Readable,
      stderr: stderr as Readable,
      exited,
      resize: async (size) => {
        await exec.resize({ h: size.rows, w: size.cols });
      },
      kill: async () => {
        (stream as unknown as { destroy(): void }).destroy();
      },
    };
  }

  return {
    exec,
    async spawn(command: string | undefined, options: SpawnOptions = {}): Promise<ContainerProcess> {
      if (options.tty !== undefined) {
        const { rows, cols } = options.tty;
        const inner = command === undefined ? ["bash", "-l"] : ["bash", "-c", command];
        return start(
          ["bash", "-c", TTY_WRAPPER, "hudkit-tty", String(rows), String(cols), ...inner],
          options,
          options.tty,
        );
      }
      if (command === undefined) return start(["bash", "-l"], options, undefined);
      return startGrouped(command, randomBytes(8).toString("hex"), options);
    },
    async upload(localDir: string, containerDir: string, options = {}): Promise<void> {
      const made = await exec(`mkdir -p ${shellQuote(containerDir)}`, { user: "root", ...options });
      if (made.exitCode !== 0) {
        throw new HudkitError(
          "upload-failed",
          `could not create ${containerDir} in the container: ${made.stderr.trim()}`,
        );
      }
      await container.putArchive(packFolder(localDir), {
        path: containerDir,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      });
    },
    async readFile(path: string): Promise<Buffer | null> {
      let archive: NodeJS.ReadableStream;
      try {
        archive = await container.getArchive({ path });
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
      return unpackFirstFile(archive);
    },
  };
}
