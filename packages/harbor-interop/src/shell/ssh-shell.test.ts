import { chmod, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HudkitError } from "@hudkit/core";
import type { ClientChannel, ConnectConfig } from "ssh2";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerAccess, SpawnOptions, TtySize } from "../container/container-access.js";
import { createLocalContainerAccess } from "../test-support/local-container-access.js";
import { generateEd25519KeyPair } from "./ed25519-key-pair.js";
import { openSshShell, type SshShell } from "./ssh-shell-client.js";
import { type SshShellServer, startSshShellServer } from "./ssh-shell-server.js";

const { Client } = ssh2;

/** The local access, recording what the server asked of it. */
function recordingAccess(root: string) {
  const inner = createLocalContainerAccess(root);
  const spawns: Array<{ command: string | undefined; options: SpawnOptions | undefined }> = [];
  const resizes: TtySize[] = [];
  const access: ContainerAccess = {
    ...inner,
    spawn: async (command, options) => {
      spawns.push({ command, options });
      const child = await inner.spawn(command, options);
      return {
        ...child,
        resize: async (size) => {
          resizes.push(size);
        },
      };
    },
  };
  return { access, spawns, resizes };
}

/** A raw ssh2 client logged in with the server's key, for what `SshShell` does not expose. */
async function rawClient(
  server: SshShellServer,
  username = "someone-else",
): Promise<InstanceType<typeof Client>> {
  const client = new Client();
  const config: ConnectConfig = {
    host: server.host,
    port: server.port,
    username,
    privateKey: server.clientPrivateKey,
  };
  await new Promise<void>((resolve, reject) => {
    client.once("ready", resolve).once("error", reject).connect(config);
  });
  return client;
}

function collect(channel: ClientChannel): Promise<{ output: string; code: unknown; signal: unknown }> {
  const chunks: Buffer[] = [];
  channel.on("data", (chunk: Buffer) => chunks.push(chunk));
  channel.stderr.resume();
  return new Promise((resolve) => {
    channel.once("close", (code: unknown, signal: unknown) => {
      resolve({ output: Buffer.concat(chunks).toString("utf8"), code, signal });
    });
  });
}

async function waitForFile(file: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const text = await readFile(file, "utf8").catch(() => "");
    if (text.trim() !== "") return text.trim();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${file} never appeared`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("SSH shell server and client", () => {
  let root: string;
  let recorded: ReturnType<typeof recordingAccess>;
  let server: SshShellServer;
  let shell: SshShell;

  // One server for the whole file: key generation and handshakes are slow on a busy machine.
  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), "hudkit-ssh-")));
    recorded = recordingAccess(root);
    server = await startSshShellServer(recorded.access, {
      user: "agent",
      workdir: root,
      env: { BASE_VAR: "from-server", OVERRIDDEN: "server" },
    });
    shell = await openSshShell(server.capability().toManifest());
  });

  afterAll(async () => {
    await shell.close();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it("describes itself as an ssh/2 capability", () => {
    const manifest = server.capability().toManifest();
    expect(server.url).toBe(`ssh://127.0.0.1:${server.port}`);
    expect(server.hostPublicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
    expect(server.clientPrivateKey).toContain("BEGIN OPENSSH PRIVATE KEY");
    expect(manifest).toEqual({
      name: "shell",
      protocol: "ssh/2",
      url: server.url,
      params: {
        user: "agent",
        host_pubkey: server.hostPublicKey,
        shell: "bash",
        client_key: server.clientPrivateKey,
        cwd: root,
      },
    });
    expect(server.capability("terminal").name).toBe("terminal");
  });

  it("runs commands and reports their output and exit codes", async () => {
    expect(await shell.exec("echo hello")).toEqual({ exitCode: 0, stdout: "hello\n", stderr: "" });
    expect(await shell.exec("printf 'partial'; exit 7")).toEqual({
      exitCode: 7,
      stdout: "partial",
      stderr: "",
    });
    expect((await shell.exec("pwd")).stdout).toBe(`${root}\n`);
  });

  it("runs commands as the agent user for the advertised login, and as the login user otherwise", async () => {
    for (const [login, user] of [
      ["agent", "agent"],
      ["root", "root"],
    ] as const) {
      const client = await rawClient(server, login);
      try {
        const channel = await new Promise<ClientChannel>((resolve, reject) =>
          client.exec("true", (error, opened) => (error ? reject(error) : resolve(opened))),
        );
        expect((await collect(channel)).code).toBe(0);
      } finally {
        client.end();
      }
      expect(recorded.spawns.at(-1)).toMatchObject({ command: "true", options: { user, workdir: root } });
    }
  });

  it("keeps stderr apart from stdout", async () => {
    const result = await shell.exec("echo out; echo err >&2; echo out2; exit 1");
    expect(result).toEqual({ exitCode: 1, stdout: "out\nout2\n", stderr: "err\n" });
  });

  it("pipes stdin into the command, large inputs included", async () => {
    expect((await shell.exec("tr a-z A-Z", { stdin: "hello" })).stdout).toBe("HELLO");
    const big = Buffer.alloc(3 * 1024 * 1024, "x"); // more than one 2 MiB SSH window
    expect((await shell.exec("wc -c", { stdin: big })).stdout.trim()).toBe(String(big.length));
    const echoed = await shell.exec("cat", { stdin: big });
    expect(echoed.stdout.length).toBe(big.length);
  });

  it("adds env requests to the server's environment", async () => {
    const result = await shell.exec('echo "$BASE_VAR $OVERRIDDEN $FROM_CLIENT"', {
      env: { FROM_CLIENT: "client value", OVERRIDDEN: "client" },
    });
    expect(result.stdout).toBe("from-server client client value\n");
  });

  it("uploads a folder with its file modes, so an uploaded script runs", async () => {
    const local = await mkdtemp(path.join(tmpdir(), "hudkit-ssh-upload-"));
    try {
      await mkdir(path.join(local, "bin"));
      await writeFile(path.join(local, "bin", "hello.sh"), '#!/bin/bash\necho "hi from $(basename "$0")"\n');
      await chmod(path.join(local, "bin", "hello.sh"), 0o755);
      await writeFile(path.join(local, "data.txt"), "plain\n");
      await chmod(path.join(local, "data.txt"), 0o640);

      // A quote and a space in the target must survive the shell.
      await shell.upload(local, "it's uploaded");
      const target = path.join(root, "it's uploaded");
      expect((await shell.exec('"./it\'s uploaded/bin/hello.sh"')).stdout).toBe("hi from hello.sh\n");
      expect(await readFile(path.join(target, "data.txt"), "utf8")).toBe("plain\n");
      expect((await stat(path.join(target, "bin", "hello.sh"))).mode & 0o777).toBe(0o755);
      expect((await stat(path.join(target, "data.txt"))).mode & 0o777).toBe(0o640);
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });

  it("rejects a failed upload with the remote error", async () => {
    await writeFile(path.join(root, "a-file"), "");
    const failure = await shell.upload(root, "a-file/below").catch((error: unknown) => error);
    expect(HudkitError.isInstance(failure) && failure.code).toBe("ssh-upload-failed");
  });

  it("rejects the upload of a local folder that does not exist", async () => {
    const failure = await shell.upload(path.join(root, "missing"), "dest").catch((error: unknown) => error);
    expect((failure as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((await shell.exec("echo still usable")).stdout).toBe("still usable\n");
  });

  it("refuses a client key it did not mint", async () => {
    const manifest = server.capability().toManifest();
    manifest.params.client_key = generateEd25519KeyPair().private;
    const failure = await openSshShell(manifest).catch((error: unknown) => error);
    expect(HudkitError.isInstance(failure) && failure.code).toBe("ssh-auth-failed");
  });

  it("has the client refuse a server whose host key is not host_pubkey", async () => {
    const manifest = server.capability().toManifest();
    manifest.params.host_pubkey = generateEd25519KeyPair().public;
    const failure = await openSshShell(manifest).catch((error: unknown) => error);
    expect(HudkitError.isInstance(failure) && failure.code).toBe("ssh-host-key-mismatch");
    expect((failure as Error).message).toContain("host key");
  });

  it("refuses sftp and other subsystems", async () => {
    const client = await rawClient(server);
    try {
      const sftpError = await new Promise<Error | undefined>((resolve) =>
        client.sftp((error) => resolve(error)),
      );
      expect(sftpError).toBeInstanceOf(Error);
      const subsystemError = await new Promise<Error | undefined>((resolve) =>
        client.subsys("netconf", (error) => resolve(error)),
      );
      expect(subsystemError).toBeInstanceOf(Error);
    } finally {
      client.end();
    }
  });

  it("serves a shell with the requested terminal and passes window changes on", async () => {
    const client = await rawClient(server);
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) =>
        client.shell({ term: "xterm-256color", rows: 30, cols: 100 }, (error, opened) =>
          error ? reject(error) : resolve(opened),
        ),
      );
      const done = collect(channel);
      channel.setWindow(40, 120, 0, 0);
      channel.end("echo shell-says-hi; echo to-stderr >&2; exit 4\n");
      const { output, code } = await done;
      expect(code).toBe(4);
      // Under a terminal stderr arrives on the same stream as stdout.
      expect(output).toContain("shell-says-hi");
      expect(output).toContain("to-stderr");
    } finally {
      client.end();
    }
    const spawn = recorded.spawns.at(-1)!;
    expect(spawn.command).toBeUndefined();
    expect(spawn.options?.tty).toEqual({ rows: 30, cols: 100, term: "xterm-256color" });
    expect(recorded.resizes).toContainEqual({ rows: 40, cols: 120, term: "xterm-256color" });
  });

  it("kills the command on a signal request and reports the signal", async () => {
    const client = await rawClient(server);
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) =>
        client.exec("echo $$ > sig.pid; exec sleep 30", (error, opened) =>
          error ? reject(error) : resolve(opened),
        ),
      );
      const done = collect(channel);
      const pid = Number(await waitForFile(path.join(root, "sig.pid")));
      channel.signal("TERM");
      expect(await done).toMatchObject({ code: null, signal: "SIGTERM" });
      expect(isAlive(pid)).toBe(false);
    } finally {
      client.end();
    }
  });

  it("kills running commands on close(), fails their exec, and closes twice without harm", async () => {
    const own = await startSshShellServer(recorded.access, { workdir: root });
    const ownShell = await openSshShell(own.capability().toManifest());
    const running = ownShell.exec("echo $$ > sleep.pid; exec sleep 30");
    const outcome = running.then(
      () => "resolved",
      (error: unknown) => error,
    );
    const pid = Number(await waitForFile(path.join(root, "sleep.pid")));
    expect(isAlive(pid)).toBe(true);

    await Promise.all([own.close(), own.close()]);
    await own.close();

    expect(isAlive(pid)).toBe(false);
    const failure = await outcome;
    expect(failure).toBeInstanceOf(Error);
    expect(HudkitError.isInstance(failure) && failure.code).toBe("ssh-exec-failed");
    const afterClose = await ownShell.exec("true").catch((error: unknown) => error);
    expect(afterClose).toBeInstanceOf(Error);
    await ownShell.close();
  });

  it("rejects exec after its timeout and kills the command", async () => {
    const started = Date.now();
    const failure = await shell
      .exec("echo $$ > slow.pid; exec sleep 30", { timeoutMs: 300 })
      .catch((error: unknown) => error);
    expect(HudkitError.isInstance(failure) && failure.code).toBe("exec-timeout");
    expect(Date.now() - started).toBeLessThan(10_000);
    const pid = Number(await waitForFile(path.join(root, "slow.pid")));
    for (let attempt = 0; attempt < 100 && isAlive(pid); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(isAlive(pid)).toBe(false);
  });

  it("closes when its abort signal fires", async () => {
    const controller = new AbortController();
    const other = await startSshShellServer(recorded.access, { signal: controller.signal });
    const otherShell = await openSshShell(other.capability().toManifest());
    expect((await otherShell.exec("echo up")).stdout).toBe("up\n");
    controller.abort();
    await other.close();
    await otherShell.close();
    const failure = await openSshShell(other.capability().toManifest(), { readyTimeoutMs: 2_000 }).catch(
      (error: unknown) => error,
    );
    expect(HudkitError.isInstance(failure) && failure.code).toBe("ssh-connect-failed");
  });
});
