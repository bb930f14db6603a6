import type { Readable, Writable } from "node:stream";

/**
 * Who runs a command and where. `user` is Harbor's spelling: a name, a uid, or `user:group`;
 * unset means the image's `USER`. `workdir` unset means the image's `WORKDIR`.
 *
 * @example
 * ```ts
 * const options: ExecOptions = { user: "agent", workdir: "/app", env: { DEBIAN_FRONTEND: "noninteractive" } };
 * ```
 */
export interface ExecOptions {
  user?: string;
  workdir?: string;
  env?: Record<string, string>;
  /** Kills the command (best effort) and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A finished command. Output beyond {@link ExecCaptureOptions.maxOutputBytes} keeps its end.
 *
 * @example
 * ```ts
 * const { exitCode, stdout } = await access.exec("cat /etc/os-release");
 * ```
 */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Options of {@link ContainerAccess.exec}.
 *
 * @example
 * ```ts
 * await access.exec("/tests/test.sh", { user: "root", timeoutMs: 600_000 });
 * ```
 */
export interface ExecCaptureOptions extends ExecOptions {
  /** Kills the command after this long and rejects with a `HudkitError` coded `exec-timeout`. */
  timeoutMs?: number;
  /** Bytes fed to the command's stdin, then closed. Default: stdin closed at once. */
  stdin?: Buffer | string;
  /** Default 1 MiB per stream; the tail is kept. */
  maxOutputBytes?: number;
}

/**
 * A pseudo-terminal request, as an SSH client sends it.
 *
 * @example
 * ```ts
 * const tty: TtySize = { rows: 24, cols: 80, term: "xterm-256color" };
 * ```
 */
export interface TtySize {
  rows: number;
  cols: number;
  term?: string;
}

/**
 * Options of {@link ContainerAccess.spawn}.
 *
 * @example
 * ```ts
 * const shell = await access.spawn(undefined, { user: "agent", tty: { rows: 24, cols: 80 } });
 * ```
 */
export interface SpawnOptions extends ExecOptions {
  /** Run under a pseudo-terminal (stderr is then merged into stdout). */
  tty?: TtySize;
}

/**
 * A command running in the container with its streams open, for interactive use (an SSH
 * channel). End `stdin` to send EOF.
 *
 * @example
 * ```ts
 * const child = await access.spawn("cat", {});
 * child.stdin.end("hello");
 * child.stdout.pipe(process.stdout);
 * console.log(await child.exited); // 0
 * ```
 */
export interface ContainerProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Empty (ends at once) under a tty. */
  readonly stderr: Readable;
  /** The exit code once the command ends (-1 when it was killed or the exit is unknown). */
  readonly exited: Promise<number>;
  resize(size: TtySize): Promise<void>;
  /** Ends the command; resolves once it is gone or the container stopped. */
  kill(): Promise<void>;
}

/**
 * Everything hudkit's Harbor runner needs from a task's container: run a command, run an
 * interactive one, copy a folder in, read a file. Docker backs it today
 * ({@link createDockerContainerAccess}); a cloud sandbox can back it later without the verifier,
 * the SSH shell or the oracle changing.
 *
 * Commands are shell text run by `bash -c` (Harbor requires bash in the main image).
 *
 * @example
 * ```ts
 * await access.upload("/data/task/tests", "/tests");
 * const run = await access.exec("bash /tests/test.sh", { user: "root", workdir: "/app", timeoutMs: 60_000 });
 * const reward = await access.readFile("/logs/verifier/reward.txt"); // Buffer, or null when missing
 * ```
 */
export interface ContainerAccess {
  exec(command: string, options?: ExecCaptureOptions): Promise<ExecResult>;
  /** `command` undefined starts the user's login shell (`bash -l`). */
  spawn(command: string | undefined, options?: SpawnOptions): Promise<ContainerProcess>;
  /**
   * Copies the contents of the host folder `localDir` into `containerDir` (created if missing,
   * files kept with their modes, owned by root). Existing files of the same name are replaced.
   */
  upload(localDir: string, containerDir: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** The file's bytes, or null when it does not exist. */
  readFile(path: string, options?: { signal?: AbortSignal }): Promise<Buffer | null>;
}
