import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dockerTestsEnabled,
  removeTestContainers,
  startTestContainer,
} from "../test-support/docker-tests.js";
import type { ContainerAccess } from "./container-access.js";
import { createDockerContainerAccess } from "./docker-container-access.js";

const LABEL = "container-access";
const enabled = await dockerTestsEnabled();

describe.skipIf(!enabled)("createDockerContainerAccess on a real engine", () => {
  let access: ContainerAccess;

  beforeAll(async () => {
    const container = await startTestContainer(LABEL);
    access = createDockerContainerAccess(new Docker(), container.id);
    const made = await access.exec("useradd --create-home agent && mkdir -p /work && chown agent /work", {
      user: "root",
    });
    expect(made.exitCode).toBe(0);
  }, 120_000);
  afterAll(() => removeTestContainers(LABEL), 60_000);

  it("runs bash with the user, workdir and env asked for, stdout and stderr apart", async () => {
    const result = await access.exec('echo "$(id -un) $(pwd) $GREETING"; echo oops >&2; exit 3', {
      user: "agent",
      workdir: "/work",
      env: { GREETING: "hi there" },
    });
    expect(result).toEqual({ exitCode: 3, stdout: "agent /work hi there\n", stderr: "oops\n" });
  });

  it("feeds stdin and closes it", async () => {
    const result = await access.exec("tr a-z A-Z", { stdin: "hello\n" });
    expect(result.stdout).toBe("HELLO\n");
    expect(result.exitCode).toBe(0);
  });

  it("kills a command that times out, children included", async () => {
    const started = Date.now();
    await expect(access.exec("sleep 300 & sleep 301; wait", { timeoutMs: 1_000 })).rejects.toThrow(
      /timed out after 1s/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    const left = await access.exec("ps -eo args | grep -c '^sleep 30[01]' || true");
    expect(left.stdout.trim()).toBe("0");
  });

  it("uploads a folder with its modes and reads files back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hudkit-upload-"));
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, "run.sh"), "#!/bin/bash\necho ran\n");
    await chmod(join(dir, "run.sh"), 0o755);
    await writeFile(join(dir, "sub", "data.txt"), "payload");
    await access.upload(dir, "/opt/up/deep");
    expect((await access.exec("/opt/up/deep/run.sh")).stdout).toBe("ran\n");
    expect((await access.readFile("/opt/up/deep/sub/data.txt"))?.toString()).toBe("payload");
    expect(await access.readFile("/opt/up/missing.txt")).toBeNull();
  });

  it("spawns an interactive command under a tty", async () => {
    const child = await access.spawn("tty; stty size", { tty: { rows: 33, cols: 77, term: "xterm" } });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    expect(await child.exited).toBe(0);
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/\/dev\/pts\/\d+/);
    expect(text).toContain("33 77");
  });
});
