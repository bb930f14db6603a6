import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Client, ClientChannel, ConnectConfig } from "ssh2";
import { HudkitError } from "../errors/hudkit-error.js";

/**
 * ssh2 is loaded on first use, not when core is imported: it carries an optional native addon,
 * so env bundles (which import core) leave it out as an external, and an env image has no
 * node_modules to find it in. Only a client that opens a shell needs it.
 */
async function loadSsh2(): Promise<typeof import("ssh2")> {
  // CommonJS whose named exports Node cannot detect: they come off the default export.
  const module = await import("ssh2");
  return (module as unknown as { default: typeof import("ssh2") }).default ?? module;
}

// ssh2's own default; an agent on the same host connects in milliseconds.
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_USER = "agent";

/**
 * What a command run over SSH did: its exit code and its output as UTF-8 text.
 *
 * @example
 * ```ts
 * const { exitCode, stdout, stderr } = await shell.exec("ls /");
 * ```
 */
export interface SshExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * An `ssh/2` capability binding as a hudkit client hands it out.
 *
 * @example
 * ```ts
 * const binding: SshShellBinding = {
 *   url: "ssh://127.0.0.1:2222",
 *   params: { user: "agent", host_pubkey: "ssh-ed25519 AAAA...", client_key: "-----BEGIN OPENSSH PRIVATE KEY-----\n..." },
 * };
 * ```
 */
export interface SshShellBinding {
  url: string;
  params: Record<string, unknown>;
}

/**
 * Options of {@link openSshShell}.
 *
 * @example
 * ```ts
 * const options: OpenSshShellOptions = { readyTimeoutMs: 5_000, signal: AbortSignal.timeout(10_000) };
 * ```
 */
export interface OpenSshShellOptions {
  /** Abandons the connection attempt. Once connected, aborting does nothing: call `close()`. */
  signal?: AbortSignal;
  /** How long the SSH handshake and authentication may take. Default 20 s. */
  readyTimeoutMs?: number;
  /** Log in as this user instead of `params.user` (hudkit's Harbor shell runs commands as the login user). */
  user?: string;
}

/**
 * Options of {@link SshShell.exec}.
 *
 * @example
 * ```ts
 * await shell.exec("python3 -", { stdin: "print(1)", env: { PYTHONUNBUFFERED: "1" }, timeoutMs: 60_000 });
 * ```
 */
export interface SshExecOptions {
  /** Fed to the command, then EOF; a stream is piped with backpressure. Default: EOF at once. */
  stdin?: string | Buffer | Readable;
  /** Sent as SSH `env` requests; the server adds them to the command's environment. */
  env?: Record<string, string>;
  /** Closes the channel (the server then kills the command) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Closes the channel after this long and rejects with a `HudkitError` coded `exec-timeout`. */
  timeoutMs?: number;
}

/**
 * An SSH connection to a `shell` capability, for agents running on the host.
 *
 * @example
 * ```ts
 * await using shell = await openSshShell(binding);
 * const { exitCode, stdout } = await shell.exec("ls /home/agent");
 * ```
 */
export interface SshShell {
  /** Runs `command` in its own channel and collects its output (UTF-8). Commands may run in parallel. */
  exec(command: string, options?: SshExecOptions): Promise<SshExecResult>;
  /** Ends the connection. Safe to call more than once. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What a command gets on stdin: bytes, a stream to pipe with backpressure, or nothing. */
type StdinSource = string | Buffer | Readable | undefined;

/**
 * Connects to the SSH server a `shell` capability binding names, checking that the server holds
 * the key in `params.host_pubkey` and logging in with `params.client_key` (or the file
 * `params.client_key_path`) as `params.user`. Rejects with a {@link HudkitError}: code
 * `ssh-host-key-mismatch` when the server's key differs, `ssh-auth-failed` when the server refuses
 * the client key, `connect-timeout`, `ssh-connect-failed` or `invalid-capability` otherwise.
 *
 * @example
 * ```ts
 * const binding = (await client.hello()).bindings.find((b) => b.protocol === "ssh/2")!;
 * const shell = await openSshShell(binding, { readyTimeoutMs: 10_000 });
 * const { stdout } = await shell.exec("uname -a");
 * await shell.close();
 * ```
 */
export async function openSshShell(
  binding: SshShellBinding,
  options: OpenSshShellOptions = {},
): Promise<SshShell> {
  options.signal?.throwIfAborted();
  const { host, port } = parseSshUrl(binding.url);
  const params = binding.params;
  const { Client: SshClient, utils } = await loadSsh2();
  const hostKey = utils.parseKey(requireString(params, "host_pubkey"));
  if (hostKey instanceof Error) {
    throw new HudkitError("invalid-capability", `host_pubkey is not a public key: ${hostKey.message}`);
  }
  const expectedHostKey = hostKey.getPublicSSH();
  const privateKey = await clientKeyOf(params);
  const username = options.user ?? (typeof params.user === "string" ? params.user : DEFAULT_USER);

  const client = new SshClient();
  let hostKeyMismatch = false;
  const config: ConnectConfig = {
    host,
    port,
    username,
    privateKey,
    readyTimeout: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    hostVerifier: (key: Buffer) => {
      hostKeyMismatch = !key.equals(expectedHostKey);
      return !hostKeyMismatch;
    },
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      cleanup();
      client.end();
      reject(error);
    };
    const onError = (error: Error & { level?: string }) => {
      if (hostKeyMismatch) {
        fail(
          new HudkitError(
            "ssh-host-key-mismatch",
            `the SSH server at ${binding.url} did not present the host key in host_pubkey; refusing to connect`,
            { cause: error },
          ),
        );
      } else if (error.level === "client-authentication") {
        fail(
          new HudkitError("ssh-auth-failed", `the SSH server at ${binding.url} refused the client key`, {
            cause: error,
          }),
        );
      } else if (error.level === "client-timeout") {
        fail(
          new HudkitError("connect-timeout", `no SSH handshake with ${binding.url} in time`, {
            cause: error,
          }),
        );
      } else {
        fail(
          new HudkitError("ssh-connect-failed", `cannot connect to ${binding.url}: ${error.message}`, {
            cause: error,
          }),
        );
      }
    };
    const onAbort = () => fail(options.signal?.reason);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      client.off("error", onError);
      client.off("ready", onReady);
      options.signal?.removeEventListener("abort", onAbort);
    };
    client.on("error", onError);
    client.once("ready", onReady);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    client.connect(config);
  });
  // Errors after the handshake surface through the channels; this keeps them from crashing the host.
  client.on("error", () => {});

  let closed = false;
  const ended = new Promise<void>((resolve) =>
    client.once("close", () => {
      closed = true;
      resolve();
    }),
  );
  const close = async () => {
    if (!closed) client.end();
    await ended;
  };

  return {
    exec: (command, execOptions = {}) => {
      if (closed) {
        return Promise.reject(
          new HudkitError("ssh-closed", `the SSH connection to ${binding.url} is closed`),
        );
      }
      return runCommand(client, command, execOptions.stdin, execOptions);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Runs one command in its own session channel and collects what it prints. */
function runCommand(
  client: Client,
  command: string,
  stdin: StdinSource,
  options: Omit<SshExecOptions, "stdin">,
): Promise<SshExecResult> {
  return new Promise<SshExecResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(options.signal.reason);
      return;
    }
    let failure: unknown;
    let timer: NodeJS.Timeout | undefined;
    let channel: ClientChannel | undefined;
    const stop = (reason: unknown) => {
      failure ??= reason;
      if (stdin instanceof Readable) stdin.destroy();
      if (channel === undefined) reject(failure);
      else channel.close();
    };
    const onAbort = () => stop(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    const execOptions = options.env === undefined ? {} : { env: options.env };
    const onOpened = (error: Error | undefined, opened: ClientChannel) => {
      if (error !== undefined && error !== null) {
        finish();
        if (stdin instanceof Readable) stdin.destroy();
        reject(
          failure ??
            new HudkitError("ssh-exec-failed", `cannot run \`${command}\`: ${error.message}`, {
              cause: error,
            }),
        );
        return;
      }
      channel = opened;
      if (failure !== undefined) {
        finish();
        opened.close();
        return;
      }
      if (options.timeoutMs !== undefined) {
        const ms = options.timeoutMs;
        timer = setTimeout(
          () => stop(new HudkitError("exec-timeout", `\`${command}\` timed out after ${ms} ms`)),
          ms,
        );
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      opened.on("data", (chunk: Buffer) => stdout.push(chunk));
      opened.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      if (stdin instanceof Readable) {
        stdin.once("error", (streamError) => stop(streamError));
        stdin.pipe(opened);
      } else {
        opened.end(stdin);
      }

      let code: number | null | undefined;
      let signal: string | undefined;
      opened.once("exit", (exitCode: number | null, exitSignal?: string) => {
        code = exitCode;
        signal = exitSignal;
      });
      // Both streams must have emptied before the output is complete; ssh2 emits `close` on each.
      let open = 2;
      const onClose = () => {
        if (--open > 0) return;
        finish();
        if (failure !== undefined) reject(failure);
        else if (typeof code === "number") {
          resolve({
            exitCode: code,
            stdout: Buffer.concat(stdout).toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
          });
        } else if (signal !== undefined) {
          reject(new HudkitError("ssh-exec-failed", `\`${command}\` was killed by signal ${signal}`));
        } else {
          reject(
            new HudkitError(
              "ssh-exec-failed",
              `the SSH channel closed before \`${command}\` reported an exit status`,
            ),
          );
        }
      };
      opened.once("close", onClose);
      opened.stderr.once("close", onClose);
    };
    try {
      client.exec(command, execOptions, onOpened);
    } catch (error) {
      // ssh2 throws instead of calling back when the socket is already gone.
      finish();
      if (stdin instanceof Readable) stdin.destroy();
      reject(
        new HudkitError("ssh-closed", `cannot run \`${command}\`: the SSH connection is closed`, {
          cause: error,
        }),
      );
    }
  });
}

/** Host and port of `ssh://[user@]host[:port]`; the port defaults to 22. */
function parseSshUrl(url: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new HudkitError("invalid-capability", `not an ssh:// URL: ${url}`, { cause: error });
  }
  if (parsed.protocol !== "ssh:" || parsed.hostname === "") {
    throw new HudkitError("invalid-capability", `not an ssh:// URL: ${url}`);
  }
  // WHATWG URL keeps the brackets of an IPv6 host; sockets want them gone.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: parsed.port === "" ? 22 : Number(parsed.port) };
}

function requireString(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== "string" || value === "") {
    throw new HudkitError("invalid-capability", `the ssh/2 binding has no ${key}`);
  }
  return value;
}

async function clientKeyOf(params: Record<string, unknown>): Promise<string> {
  if (typeof params.client_key === "string" && params.client_key !== "") return params.client_key;
  if (typeof params.client_key_path === "string" && params.client_key_path !== "") {
    return readFile(params.client_key_path, "utf8");
  }
  throw new HudkitError("invalid-capability", "the ssh/2 binding has neither client_key nor client_key_path");
}
