import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeProvider } from "./provider.js";
import { resolveRuntime, resolveRuntimePlugin } from "./resolve-runtime.js";
import { pluginPackages, splitRuntimeSpec } from "./runtime-spec.js";
import { ECHO_TASK, fixture, testContext } from "./runtime-test-support.js";

/** A project with the fixture plugins installed the way a package manager would put them. */
let project: string;
/** A project with nothing installed. */
let bare: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "hudkit-resolve-"));
  bare = await mkdtemp(join(tmpdir(), "hudkit-resolve-bare-"));
  await cp(fixture("hudkit-runtime-echo"), join(project, "node_modules/hudkit-runtime-echo"), {
    recursive: true,
  });
  await cp(fixture("acme-hudkit-runtime-foo"), join(project, "node_modules/@acme/hudkit-runtime-foo"), {
    recursive: true,
  });
  await cp(fixture("hudkit-runtime-old"), join(project, "node_modules/hudkit-runtime-old"), {
    recursive: true,
  });
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await rm(bare, { recursive: true, force: true });
});

async function endpointOf(provider: RuntimeProvider): Promise<string> {
  await using substrate = await provider.acquire(ECHO_TASK, testContext());
  return substrate.endpoint.url;
}

const provider = (name: string, version = "runtime-v1") =>
  ({
    specificationVersion: version,
    name,
    async acquire() {
      return { endpoint: { url: `tcp://127.0.0.1:1/${name}` }, async [Symbol.asyncDispose]() {} };
    },
  }) as RuntimeProvider;

describe("splitRuntimeSpec and pluginPackages", () => {
  it("splits on the first colon only", () => {
    expect(splitRuntimeSpec("docker:my-image:tag")).toEqual({ name: "docker", arg: "my-image:tag" });
    expect(splitRuntimeSpec("@acme/foo:a:b")).toEqual({ name: "@acme/foo", arg: "a:b" });
    expect(splitRuntimeSpec("modal")).toEqual({ name: "modal", arg: "" });
  });

  it("maps a name to its packages by one strict rule", () => {
    expect(pluginPackages("docker")).toEqual(["@hudkit/runtime-docker", "hudkit-runtime-docker"]);
    expect(pluginPackages("hudkit-runtime-echo")).toEqual(["hudkit-runtime-echo"]);
    expect(pluginPackages("@acme/foo")).toEqual(["@acme/hudkit-runtime-foo"]);
    expect(pluginPackages("@acme/hudkit-runtime-foo")).toEqual(["@acme/hudkit-runtime-foo"]);
    expect(pluginPackages("@hudkit/docker")).toEqual(["@hudkit/runtime-docker"]);
  });

  it("rejects what cannot be a runtime name", async () => {
    await expect(resolveRuntime("My Runtime:x", { projectDir: bare, cliDir: bare })).rejects.toMatchObject({
      code: "runtime-spec",
    });
  });
});

describe("resolveRuntime", () => {
  it("passes a provider object through, checked by shape", async () => {
    const given = provider("mine");
    expect(await resolveRuntime(given)).toBe(given);
  });

  it("names both versions when a provider speaks another contract", async () => {
    await expect(resolveRuntime(provider("future", "runtime-v2"))).rejects.toThrow(
      "the runtime provider 'future' is a runtime-v2 runtime provider but this hudkit needs runtime-v1: upgrade the runtime provider 'future' or hudkit",
    );
    await expect(resolveRuntime({ name: "x" } as never)).rejects.toMatchObject({ code: "not-a-runtime" });
  });

  it("builds local: and url: runtimes", async () => {
    const local = await resolveRuntime("local:env.ts", { projectDir: bare });
    expect(local.name).toBe("local");
    const borrowed = await resolveRuntime("url:tcp://127.0.0.1:8765");
    expect(await endpointOf(borrowed)).toBe("tcp://127.0.0.1:8765");
    await expect(resolveRuntime("url:http://x")).rejects.toMatchObject({ code: "bad-url" });
    await expect(resolveRuntime("local")).rejects.toThrow("'local' needs an env file");
  });

  it("says in one line which package to install for a missing plugin", async () => {
    const error = (await resolveRuntime("docker:my-image:tag", { projectDir: bare, cliDir: bare }).catch(
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error.code).toBe("plugin-not-found");
    expect(error.message).toBe(
      "no runtime plugin for 'docker': install it with `pnpm add @hudkit/runtime-docker` (or npm i @hudkit/runtime-docker)",
    );
    await expect(resolveRuntime("@acme/bar:x", { projectDir: bare, cliDir: bare })).rejects.toThrow(
      "no runtime plugin for '@acme/bar': install it with `pnpm add @acme/hudkit-runtime-bar` (or npm i @acme/hudkit-runtime-bar)",
    );
  });

  it("finds a third-party plugin installed in the project and calls create(arg, options)", async () => {
    const echo = await resolveRuntime("echo:tcp://127.0.0.1:7:extra", {
      projectDir: project,
      cliDir: bare,
      pluginOptions: { verbose: true },
    });
    expect(echo.name).toBe("echo");
    expect((echo as RuntimeProvider & { options: unknown }).options).toEqual({ verbose: true });
    expect(await endpointOf(echo)).toBe("tcp://127.0.0.1:7:extra");
  });

  it("falls back to the CLI's own install when the project lacks the plugin", async () => {
    const echo = await resolveRuntime("echo:tcp://127.0.0.1:9", { projectDir: bare, cliDir: project });
    expect(await endpointOf(echo)).toBe("tcp://127.0.0.1:9");
  });

  it("maps @scope/name to @scope/hudkit-runtime-name and unwraps a CommonJS default twice", async () => {
    const foo = await resolveRuntime("@acme/foo:tcp://127.0.0.1:5", { projectDir: project, cliDir: bare });
    expect(foo.name).toBe("acme-foo");
    expect(await endpointOf(foo)).toBe("tcp://127.0.0.1:5");
  });

  it("asks to upgrade a plugin written for another contract version", async () => {
    await expect(resolveRuntime("old:x", { projectDir: project, cliDir: bare })).rejects.toThrow(
      "hudkit-runtime-old implements runtime-plugin-v0 but this hudkit needs runtime-plugin-v1: upgrade hudkit-runtime-old (npm i hudkit-runtime-old@latest) or hudkit",
    );
  });

  it("imports a plugin given as a path", async () => {
    await writeFile(
      join(bare, "my-runtime.mjs"),
      `export default {
        specificationVersion: "runtime-plugin-v1",
        name: "mine",
        create: (arg) => ({
          specificationVersion: "runtime-v1",
          name: "mine",
          acquire: async () => ({ endpoint: { url: arg }, async [Symbol.asyncDispose]() {} }),
        }),
      };\n`,
    );
    const mine = await resolveRuntime("./my-runtime.mjs:tcp://127.0.0.1:3", {
      projectDir: bare,
      cliDir: bare,
    });
    expect(await endpointOf(mine)).toBe("tcp://127.0.0.1:3");
  });
});

describe("resolveRuntime with hud.config", () => {
  let configured: string;
  beforeAll(async () => {
    configured = await mkdtemp(join(tmpdir(), "hudkit-resolve-config-"));
    await cp(join(project, "node_modules"), join(configured, "node_modules"), { recursive: true });
    await writeFile(
      join(configured, "hud.config.mjs"),
      `const provider = (name, url) => ({
        specificationVersion: "runtime-v1",
        name,
        acquire: async () => ({ endpoint: { url }, async [Symbol.asyncDispose]() {} }),
      });
      export default {
        runtimes: {
          // Registered explicitly: wins over the installed hudkit-runtime-echo package.
          echo: (arg, options) => provider("config-echo", arg + (options.suffix ?? "")),
          fixed: provider("fixed", "tcp://127.0.0.1:11"),
          plug: { specificationVersion: "runtime-plugin-v1", name: "plug", create: (arg) => provider("plug", arg) },
          stale: { specificationVersion: "runtime-v0", name: "stale" },
        },
      };\n`,
    );
  });
  afterAll(async () => {
    await rm(configured, { recursive: true, force: true });
  });

  it("uses runtimes registered in hud.config.mjs before plugin packages", async () => {
    const echo = await resolveRuntime("echo:tcp://127.0.0.1:12", {
      projectDir: configured,
      cliDir: bare,
      pluginOptions: { suffix: "3" },
    });
    expect(echo.name).toBe("config-echo");
    expect(await endpointOf(echo)).toBe("tcp://127.0.0.1:123");
  });

  it("accepts a provider object and a plugin object as registrations", async () => {
    const fixed = await resolveRuntime("fixed", { projectDir: configured, cliDir: bare });
    expect(await endpointOf(fixed)).toBe("tcp://127.0.0.1:11");
    await expect(resolveRuntime("fixed:arg", { projectDir: configured, cliDir: bare })).rejects.toThrow(
      "takes no argument",
    );
    const plug = await resolveRuntime("plug:tcp://127.0.0.1:13", { projectDir: configured, cliDir: bare });
    expect(await endpointOf(plug)).toBe("tcp://127.0.0.1:13");
    await expect(resolveRuntime("stale", { projectDir: configured, cliDir: bare })).rejects.toMatchObject({
      code: "runtime-version",
    });
  });

  it("still finds packages for names the config does not register", async () => {
    const foo = await resolveRuntime("@acme/foo:tcp://127.0.0.1:14", {
      projectDir: configured,
      cliDir: bare,
    });
    expect(foo.name).toBe("acme-foo");
  });

  // tsx compiles the config on a shared 2-core machine: allow for a slow neighbour.
  it("loads a TypeScript hud.config.ts through tsx", { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "hudkit-resolve-ts-"));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, "hud.config.ts"),
        `const url: string = "tcp://127.0.0.1:15";
        export default {
          runtimes: {
            typed: () => ({
              specificationVersion: "runtime-v1" as const,
              name: "typed",
              acquire: async () => ({ endpoint: { url }, async [Symbol.asyncDispose]() {} }),
            }),
          },
        };\n`,
      );
      const typed = await resolveRuntime("typed", { projectDir: dir, cliDir: bare });
      expect(await endpointOf(typed)).toBe("tcp://127.0.0.1:15");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses a config passed in instead of reading the file", async () => {
    const given = provider("given");
    expect(await resolveRuntime("given", { projectDir: configured, config: { runtimes: { given } } })).toBe(
      given,
    );
  });
});

describe("resolveRuntimePlugin", () => {
  it("loads a plugin package without creating a provider, prune hook included", async () => {
    await writeFile(
      join(bare, "sweeper.mjs"),
      `export default {
        specificationVersion: "runtime-plugin-v1",
        name: "sweeper",
        create: () => { throw new Error("create must not run"); },
        prune: async ({ jobId }) => [{ id: "sb-1", jobId, runId: "r1" }],
      };\n`,
    );
    const plugin = await resolveRuntimePlugin("./sweeper.mjs", { projectDir: bare, cliDir: bare });
    expect(plugin.name).toBe("sweeper");
    expect(await plugin.prune?.({ jobId: "j1" })).toEqual([{ id: "sb-1", jobId: "j1", runId: "r1" }]);
    const echo = await resolveRuntimePlugin("echo", { projectDir: bare, cliDir: project });
    expect(echo.specificationVersion).toBe("runtime-plugin-v1");
  });

  it("fails like --runtime does for a plugin that is not installed, or has the wrong shape", async () => {
    await expect(resolveRuntimePlugin("e2b", { projectDir: bare, cliDir: bare })).rejects.toThrow(
      "no runtime plugin for 'e2b': install it with `pnpm add @hudkit/runtime-e2b` (or npm i @hudkit/runtime-e2b)",
    );
    await writeFile(
      join(bare, "bad-prune.mjs"),
      `export default { specificationVersion: "runtime-plugin-v1", name: "bad", create() {}, prune: 3 };\n`,
    );
    await expect(
      resolveRuntimePlugin("./bad-prune.mjs", { projectDir: bare, cliDir: bare }),
    ).rejects.toThrow();
  });

  it("takes a plugin registered in hud.config first", async () => {
    const registered = {
      specificationVersion: "runtime-plugin-v1" as const,
      name: "mine",
      create: () => provider("mine"),
    };
    const plugin = await resolveRuntimePlugin("e2b", {
      projectDir: bare,
      cliDir: bare,
      config: { runtimes: { e2b: registered } },
    });
    expect(plugin).toBe(registered);
  });
});
