import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connect } from "../protocol/client-connect.js";
import { bundleEnvironment, bundleEnvironmentWith, InputHashMemo } from "./env-bundle.js";

const ENVIRONMENT_MODULE = fileURLToPath(new URL("../environment/environment.ts", import.meta.url));

/** Real child processes and esbuild on a shared 2-core machine: allow for a slow neighbour. */
const SLOW = { timeout: 90_000 };

let dir: string;
let cacheDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hudkit-bundle-"));
  cacheDir = join(dir, "cache");
  await writeFile(
    join(dir, "env.mjs"),
    `import { Environment } from ${JSON.stringify(ENVIRONMENT_MODULE)};
    import { label } from "./label.mjs";
    import addon from "fake-addon";
    export const env = new Environment({ name: label + addon.kind });\n`,
  );
  await writeFile(join(dir, "label.mjs"), `export const label = "first";\n`);
  // A native addon as a package manager installs one: it must stay out of the bundle.
  const addon = join(dir, "node_modules/fake-addon");
  await mkdir(addon, { recursive: true });
  await writeFile(
    join(addon, "package.json"),
    JSON.stringify({ name: "fake-addon", version: "1.0.0", main: "index.js", gypfile: true }),
  );
  await writeFile(join(addon, "index.js"), `module.exports = { kind: "-addon", dir: __dirname };\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("bundleEnvironment", SLOW, () => {
  it("reuses the bundle of unchanged inputs and rebuilds when an imported file changes", async () => {
    const first = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    expect(first.built).toBe(true);
    // An ES module whatever the env: images run it as `node env.mjs`.
    expect(first.file).toMatch(/\.mjs$/);
    expect(first.inputs).toBeGreaterThan(3);

    const again = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    expect(again).toEqual({ ...first, built: false });

    await writeFile(join(dir, "label.mjs"), `export const label = "second";\n`);
    const edited = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    expect(edited.built).toBe(true);
    expect(edited.file).not.toBe(first.file);
    expect(await readFile(edited.file, "utf8")).toContain('"second"');
    expect((await bundleEnvironment(join(dir, "env.mjs"), { cacheDir })).built).toBe(false);
  });

  it("with a provider's memo, re-checks the env's own files every time and package files after a while", async () => {
    const work = await mkdtemp(join(dir, "memo-"));
    const pkg = join(work, "node_modules/word");
    await mkdir(pkg, { recursive: true });
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({ name: "word", version: "1.0.0", main: "index.js" }),
    );
    await writeFile(join(pkg, "index.js"), `module.exports = "one";\n`);
    await writeFile(join(work, "own.mjs"), `export const own = "a";\n`);
    await writeFile(
      join(work, "env.mjs"),
      `import { Environment } from ${JSON.stringify(ENVIRONMENT_MODULE)};
      import word from "word";
      import { own } from "./own.mjs";
      export const env = new Environment({ name: word + own });\n`,
    );
    const source = join(work, "env.mjs");
    const options = { cacheDir: join(work, "cache") };
    // Only the memo's clock is faked: esbuild and the file system run for real.
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const memo = new InputHashMemo({ packageRecheckMs: 60_000 });
      const first = await bundleEnvironmentWith(source, options, memo);

      await writeFile(join(work, "own.mjs"), `export const own = "b";\n`);
      const ownEdit = await bundleEnvironmentWith(source, options, memo);
      expect(ownEdit.built).toBe(true);
      expect(ownEdit.file).not.toBe(first.file);

      await writeFile(join(pkg, "index.js"), `module.exports = "two";\n`);
      // Within the window the package is not looked at again...
      expect(await bundleEnvironmentWith(source, options, memo)).toEqual({ ...ownEdit, built: false });
      // ...and once it has passed, its edit is noticed.
      vi.advanceTimersByTime(60_001);
      const rechecking = await bundleEnvironmentWith(source, options, memo);
      expect(rechecking.built).toBe(true);
      expect(await readFile(rechecking.file, "utf8")).toContain('"two"');
    } finally {
      vi.useRealTimers();
    }
  });

  it("leaves a native addon out, loaded by absolute path from where it is installed", async () => {
    const { file } = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    const text = await readFile(file, "utf8");
    expect(text).not.toContain("dir: __dirname");
    expect(text).toContain(JSON.stringify(join(dir, "node_modules/fake-addon/index.js")));
  });

  it("reports a syntax error with its location", async () => {
    await writeFile(join(dir, "broken.mjs"), "export const = 1;\n");
    await expect(bundleEnvironment(join(dir, "broken.mjs"), { cacheDir })).rejects.toMatchObject({
      code: "env-bundle-failed",
      message: expect.stringMatching(/^cannot bundle .*broken\.mjs: broken\.mjs:1:14: /),
    });
  });

  it("serves on the --host and --port it is given, as in a container", async () => {
    const { file } = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    const port = await freePort();
    const child = spawn(process.execPath, [file, "--host", "127.0.0.1", "--port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stdout = "";
      child.stdout.setEncoding("utf8");
      for await (const chunk of child.stdout) {
        stdout += chunk;
        if (stdout.includes("\n")) break;
      }
      expect(stdout).toBe(`HUD_SERVE_PORT=${port}\n`);
      const client = await connect(`tcp://127.0.0.1:${port}`, { readyTimeoutMs: 10_000 });
      try {
        expect(client.manifest.env).toMatchObject({ name: expect.stringMatching(/-addon$/) });
      } finally {
        await client.close();
      }
    } finally {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    }
  });

  it("refuses a --port that is not a port number", async () => {
    const { file } = await bundleEnvironment(join(dir, "env.mjs"), { cacheDir });
    const child = spawn(process.execPath, [file, "--port", "http"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const [code] = await once(child, "close");
    expect(code).toBe(2);
    expect(stderr).toBe("hudkit-serve-env: --port must be a port number from 0 to 65535 (got http)\n");
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}
