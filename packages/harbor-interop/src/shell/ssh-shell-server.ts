import { timingSafeEqual } from "node:crypto";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { finished } from "node:stream/promises";
import { Capability } from "@hudkit/core";
import type { AuthContext, Connection, ParsedKey, ServerChannel, Session } from "ssh2";
import ssh2 from "ssh2";
import type { ContainerAccess, ContainerProcess, TtySize } from "../container/container-access.js";
import { generateEd25519KeyPair } from "./ed25519-key-pair.js";

// ssh2 is CommonJS whose named exports Node cannot detect, so they come off the default export.
const { Server, utils } = ssh2;

const LISTEN_HOST = "127.0.0.1";
// After close() says goodbye, a client that keeps its socket open this long is cut off, so
// close() cannot hang on a peer that never answers.
const CLOSE_GRACE_MS = 1_000;
// What an SSH client may name in an `env` request; anything else could smuggle `=` or a NUL
// into the container's environment.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Options of {@link startSshShellServer}.
 *
 * @example
 * ```ts
 * const options: SshShellServerOptions = { user: "agent", workdir: "/app", env: { LANG: "C.UTF-8" } };
 * ```
 */
export interface SshShellServerOptions {
  /**
   * The agent user: who commands run as when the client logs in with the user name the
   * capability advertises (this one, or `agent` when unset). Default: the image's `USER`.
   * Another login name runs commands as that container user, as sshd would: the oracle logs in
   * as `root` to put `/solution` in place, then runs `solve.sh` as the agent user.
   */
  user?: string;
  /** Where commands start. Default: the image's `WORKDIR`. */
  workdir?: string;
  /** Added to every command's environment; a client's `env` requests override it. */
  env?: Record<string, string>;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

/**
 * A running SSH server that gives a task's container a `shell` capability. It accepts only
 * {@link SshShellServer.clientPrivateKey}, minted for this server alone.
 *
 * @example
 * ```ts
 * await using server = await startSshShellServer(access, { user: "agent", workdir: "/app" });
 * const binding = server.capability().toManifest(); // hand it to the agent
 * ```
 */
export interface SshShellServer {
  /** Always `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** `ssh://127.0.0.1:<port>`. */
  readonly url: string;
  /** The host key in OpenSSH one-line form, `ssh-ed25519 AAAA...`. */
  readonly hostPublicKey: string;
  /** The only key this server accepts, as OpenSSH private key text. */
  readonly clientPrivateKey: string;
  /** The `ssh/2` capability that describes this server, client key included. */
  capability(name?: string): Capability;
  /** Ends every connection and kills every running command. Safe to call more than once. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** What every connection of one server shares. */
interface ServerState {
  readonly access: ContainerAccess;
  readonly options: SshShellServerOptions;
  readonly processes: Set<ContainerProcess>;
  /** Spawns that have not answered yet; close() waits for them so none outlives it. */
  readonly starting: Set<Promise<unknown>>;
  closed: boolean;
}

/**
 * Starts an SSH server on `127.0.0.1` (a free port) whose sessions run in the container behind
 * `access`: `exec` and `shell` requests, a pseudo-terminal when asked, `env` requests, window
 * changes and signals. Public-key authentication only, with a fresh ed25519 host key and client
 * key per server; SFTP and other subsystems are refused.
 *
 * @example
 * ```ts
 * const server = await startSshShellServer(access, { user: "agent", workdir: "/app" });
 * console.log(server.url); // ssh://127.0.0.1:41234
 * const shell = await openSshShell(server.capability().toManifest());
 * await shell.exec("whoami"); // { exitCode: 0, stdout: "agent\n", stderr: "" }
 * await server.close();
 * ```
 */
export async function startSshShellServer(
  access: ContainerAccess,
  options: SshShellServerOptions = {},
): Promise<SshShellServer> {
  options.signal?.throwIfAborted();
  const hostKey = generateEd25519KeyPair();
  const clientKey = generateEd25519KeyPair();
  const allowedKey = parsedKey(clientKey.public);
  const state: ServerState = {
    access,
    options,
    processes: new Set(),
    starting: new Set(),
    closed: false,
  };
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();

  const sshServer = new Server({ hostKeys: [hostKey.private] }, (connection) => {
    connections.add(connection);
    connection.on("close", () => connections.delete(connection));
    // A peer that resets its socket must not crash the process hosting the server.
    connection.on("error", () => {});
    let login = ADVERTISED_DEFAULT_USER;
    connection.on("authentication", (context) => {
      login = context.username;
      authenticate(context, allowedKey);
    });
    connection.on("ready", () => {
      connection.on("session", (accept) => serveSession(accept(), state, containerUser(login, options.user)));
    });
  });
  // Our own listener hands sockets to ssh2, so close() can still cut off a peer that lingers.
  const listener = createServer((socket) => {
    if (state.closed) return void socket.destroy();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    sshServer.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(0, LISTEN_HOST, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  const port = (listener.address() as AddressInfo).port;
  const url = `ssh://${LISTEN_HOST}:${port}`;
  const hostPublicKey = openSshKeyLine(hostKey.public);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      state.closed = true;
      options.signal?.removeEventListener("abort", onAbort);
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      for (const connection of connections) connection.end();
      await Promise.allSettled([...state.starting]);
      await Promise.allSettled([...state.processes].map((child) => child.kill()));
      const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
      await Promise.race([listenerClosed, grace]);
      for (const socket of sockets) socket.destroy();
      await listenerClosed;
    })();
    return closing;
  };
  const onAbort = () => void close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // An abort while the listener was starting fired before anyone listened for it.
  if (options.signal?.aborted) await close();

  return {
    host: LISTEN_HOST,
    port,
    url,
    hostPublicKey,
    clientPrivateKey: clientKey.private,
    capability: (name = "shell") =>
      Capability.ssh({
        name,
        url,
        hostPubkey: hostPublicKey,
        clientKey: clientKey.private,
        user: options.user,
        cwd: options.workdir,
      }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** ssh2 writes an empty comment as a trailing space; the capability wants the bare key line. */
function openSshKeyLine(publicKey: string): string {
  return publicKey.trim();
}

function parsedKey(text: string): ParsedKey {
  const key = utils.parseKey(text);
  if (key instanceof Error) throw key;
  return key;
}

/** Public key only, that one key only, and the signature must prove the client holds it. */
function authenticate(context: AuthContext, allowed: ParsedKey): void {
  if (context.method !== "publickey") {
    context.reject(["publickey"]);
    return;
  }
  const expected = allowed.getPublicSSH();
  const offered = context.key.data;
  const sameKey =
    context.key.algo === allowed.type &&
    offered.length === expected.length &&
    timingSafeEqual(offered, expected);
  // Without a signature the client only asks whether the key would do; it signs next.
  const signed =
    context.signature === undefined ||
    (context.blob !== undefined &&
      allowed.verify(context.blob, context.signature, context.hashAlgo) === true);
  if (sameKey && signed) context.accept();
  else context.reject(["publickey"]);
}

/** The user core's `Capability.ssh` advertises when none is given. */
const ADVERTISED_DEFAULT_USER = "agent";

/** The container user a login name runs as: the agent user for the advertised name. */
function containerUser(login: string, agentUser: string | undefined): string | undefined {
  return login === (agentUser ?? ADVERTISED_DEFAULT_USER) ? agentUser : login;
}

/** One SSH session channel: collects pty and env requests, then runs one exec or shell. */
function serveSession(session: Session, state: ServerState, user: string | undefined): void {
  const env: Record<string, string> = {};
  let tty: TtySize | undefined;
  let child: ContainerProcess | undefined;
  // A session runs one command; a second exec or shell request while it starts is refused.
  let busy = false;
  let killedBy: string | undefined;

  session.on("pty", (accept, reject, info) => {
    if (busy) return reject?.();
    tty = { rows: info.rows, cols: info.cols, term: info.term };
    accept?.();
  });
  session.on("env", (accept, reject, info) => {
    if (busy || !ENV_NAME.test(info.key)) return reject?.();
    env[info.key] = info.val;
    accept?.();
  });
  session.on("window-change", (accept, _reject, info) => {
    if (tty !== undefined) tty = { ...tty, rows: info.rows, cols: info.cols };
    if (child !== undefined && tty !== undefined) child.resize(tty).catch(() => {});
    accept?.();
  });
  session.on("signal", (accept, reject, info) => {
    if (child === undefined) return reject?.();
    // ContainerAccess can only kill, so every signal ends the command; the client hears which.
    killedBy = info.name;
    child.kill().catch(() => {});
    accept?.();
  });
  session.on("exec", (accept, reject, info) => {
    void start(info.command, accept, reject);
  });
  session.on("shell", (accept, reject) => {
    void start(undefined, accept, reject);
  });
  session.on("sftp", (_accept, reject) => reject?.());
  session.on("subsystem", (_accept, reject) => reject?.());

  const start = async (
    command: string | undefined,
    accept: () => ServerChannel | undefined,
    reject: (() => void) | undefined,
  ): Promise<void> => {
    if (state.closed || busy) {
      reject?.();
      return;
    }
    busy = true;
    const { access, options } = state;
    const spawning = access.spawn(command, {
      user,
      workdir: options.workdir,
      env: { ...options.env, ...env },
      tty,
    });
    state.starting.add(spawning);
    let started: ContainerProcess;
    try {
      started = await spawning;
    } catch {
      reject?.();
      return;
    } finally {
      state.starting.delete(spawning);
    }
    const channel = state.closed ? undefined : accept();
    if (channel === undefined) {
      // The server closed or the client left while the command was starting.
      reject?.();
      await started.kill().catch(() => {});
      return;
    }
    child = started;
    state.processes.add(started);
    await pipeProcess(started, channel, state, () => killedBy);
    state.processes.delete(started);
  };
}

/** Streams both ways with backpressure, then reports how the command ended and closes. */
async function pipeProcess(
  child: ContainerProcess,
  channel: ServerChannel,
  state: ServerState,
  killedBy: () => string | undefined,
): Promise<void> {
  let channelClosed = false;
  channel.on("error", () => {});
  channel.stderr.on("error", () => {});
  child.stdin.on("error", () => {});
  channel.once("close", () => {
    channelClosed = true;
    // Nobody reads any more: drain the output so the streams can end and the exit is seen.
    for (const output of [child.stdout, child.stderr]) output.unpipe().resume();
    void child.kill().catch(() => {});
  });
  channel.pipe(child.stdin);
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });

  const outputDone = Promise.allSettled([finished(child.stdout), finished(child.stderr)]);
  const exitCode = await child.exited.catch(() => -1);
  await outputDone;
  if (channelClosed || state.closed) return;
  const signal = killedBy();
  if (exitCode >= 0) channel.exit(exitCode);
  else if (signal !== undefined) channel.exit(signal.replace(/^SIG/, ""), false, "");
  channel.end();
}
