import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, extname, join, resolve, sep } from "node:path";
import type { BuildFailure, Message } from "esbuild";
import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { bundleEntrySource, coreAliases, envChildMainModule } from "./bundle-entry.js";
import { ensureCodeCacheLauncher } from "./code-cache-launcher.js";
import { importMetaPathsPlugin } from "./import-meta-paths-plugin.js";
import { unbundledPackagesPlugin } from "./unbundled-packages-plugin.js";

/** Bump when the entry or the plugins change what a bundle contains for the same inputs. */
const BUNDLE_FORMAT = 2;
/** Hex digits of a SHA-256 kept in cache file names: plenty to never collide in one cache. */
const NAME_DIGITS = 24;
/** The generated entry's name in esbuild's messages and metafile; not a file. */
const ENTRY_NAME = "hudkit-env-entry.mjs";

/**
 * Where bundles are cached by default. A temporary directory, not the project's
 * `node_modules/.cache`: an env needs no `node_modules` of its own, and a bundle only refers to
 * files outside it by absolute path.
 *
 * @example
 * ```ts
 * await bundleEnvironment("env.ts", { cacheDir: join(DEFAULT_BUNDLE_CACHE_DIR, "ci") });
 * ```
 */
export const DEFAULT_BUNDLE_CACHE_DIR = join(tmpdir(), "hudkit-bundles");

/** Options of {@link bundleEnvironment}. */
export interface BundleEnvironmentOptions {
  /** Default {@link DEFAULT_BUNDLE_CACHE_DIR}. */
  cacheDir?: string;
  /**
   * Packages to load from where they are installed instead of bundling, besides native addons,
   * which are always left out (e.g. a package that reads files next to itself via `__dirname`).
   */
  external?: readonly string[];
}

/** A bundled env, ready for `node <file>`. */
export interface EnvironmentBundle {
  /** The `.mjs` bundle in the cache directory. */
  readonly file: string;
  /** False when an up-to-date bundle came from the cache. */
  readonly built: boolean;
  /** How many input files the bundle was built from. */
  readonly inputs: number;
}

const ManifestSchema = z.object({
  bundle: z.string(),
  inputs: z.array(z.object({ path: z.string(), sha256: z.string() })),
});
type Manifest = z.infer<typeof ManifestSchema>;

/** Env sources in a directory, the same rule as `loadEnvironment`. */
const SOURCE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
const SKIPPED = /\.(test|spec|d|config)\.[cm]?[jt]s$/;

/**
 * Bundles an env source (a file, or a directory of them, with everything they import, packages
 * included; native addons excepted) into one ESM file that serves the env when run with plain
 * `node`: no TypeScript loader at start-up. The bundle is cached under a hash of the contents of
 * every input file esbuild read, so an unchanged env is reused and any edit (to the env, a module
 * it imports or an installed package) rebuilds it.
 *
 * Not tracked as inputs: `tsconfig.json` settings and files read at run time.
 *
 * @example
 * ```ts
 * const { file, built } = await bundleEnvironment("examples/letter-count/env.ts");
 * spawn(process.execPath, [file]); // prints HUD_SERVE_PORT=<port>
 * ```
 */
export async function bundleEnvironment(
  source: string,
  options: BundleEnvironmentOptions = {},
): Promise<EnvironmentBundle> {
  const { file, built, inputs } = await bundleEnvironmentWith(
    source,
    { cacheDir: options.cacheDir, external: options.external },
    new InputHashMemo(),
  );
  return { file, built, inputs };
}

/** How long a verified file inside an installed package is trusted before it is checked again. */
const DEFAULT_PACKAGE_RECHECK_MS = 5_000;

/**
 * What a provider remembers across its rollouts so that re-checking an unchanged env is cheap:
 * the content hashes of files already verified, keyed by path, with the stat stamp they had (an
 * edit changes the file's mtime, ctime or size, and then its contents are hashed again), and
 * where core's child entry module is.
 *
 * The env's own files are stat'ed at every check, so an edit is picked up by the next rollout.
 * Files under `node_modules` (most of a bundle's inputs, and none that change during a run) are
 * trusted for `packageRecheckMs` (5 s) after they were verified: a reinstall is still noticed,
 * within seconds, without a hundred stats per rollout.
 */
export class InputHashMemo {
  readonly #known = new Map<string, { stamp: string; sha256: string; checkedAt: number }>();
  readonly #packageRecheckMs: number;
  readonly #launchers = new Map<string, string>();
  #childMain: string | undefined;

  constructor(options: { packageRecheckMs?: number } = {}) {
    this.#packageRecheckMs = options.packageRecheckMs ?? DEFAULT_PACKAGE_RECHECK_MS;
  }

  /**
   * The code-cache launcher in `cacheDir`, written there once per process, and again whenever a
   * bundle is (re)built there: a cache directory that was wiped has lost both.
   */
  async launcherIn(cacheDir: string, rewrite: boolean): Promise<string> {
    let launcher = rewrite ? undefined : this.#launchers.get(cacheDir);
    if (launcher === undefined) {
      launcher = await ensureCodeCacheLauncher(cacheDir, writeAtomically);
      this.#launchers.set(cacheDir, launcher);
    }
    return launcher;
  }

  /** {@link envChildMainModule}, resolved once: it cannot move while this process runs. */
  childMain(): string {
    this.#childMain ??= envChildMainModule();
    return this.#childMain;
  }

  async sha256Of(path: string): Promise<string | undefined> {
    const known = this.#known.get(path);
    const now = performance.now();
    if (known !== undefined && now - known.checkedAt < this.#packageRecheckMs && isInstalled(path)) {
      return known.sha256;
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) return undefined;
    const stamp = `${info.mtimeMs}:${info.ctimeMs}:${info.size}:${info.ino}`;
    if (known?.stamp === stamp) {
      known.checkedAt = now;
      return known.sha256;
    }
    const contents = await readFile(path).catch(() => undefined);
    if (contents === undefined) return undefined;
    const digest = sha256(contents);
    this.#known.set(path, { stamp, sha256: digest, checkedAt: now });
    return digest;
  }
}

function isInstalled(path: string): boolean {
  return path.includes(`${sep}node_modules${sep}`);
}

/** What a provider asks of {@link bundleEnvironmentWith} beyond the public options. */
export interface BundleRequest extends BundleEnvironmentOptions {
  /**
   * Prefer a CommonJS bundle run through the code-cache launcher (see `code-cache-launcher.ts`).
   * An env that needs ESM (top-level await, `import.meta.resolve`) still gets an ESM bundle.
   */
  codeCache?: boolean;
}

/** A bundle as a provider runs it: `node [launcher] file`. */
export interface LaunchableBundle extends EnvironmentBundle {
  /** The code-cache launcher to run `file` with, when `file` is a CommonJS bundle. */
  readonly launcher: string | undefined;
}

/** {@link bundleEnvironment} with a memo of verified input hashes that outlives one call. */
export async function bundleEnvironmentWith(
  source: string,
  options: BundleRequest,
  memo: InputHashMemo,
): Promise<LaunchableBundle> {
  const target = resolve(source);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new HudkitError("env-not-found", `no environment source at ${source}: check the path`);
  const files = info.isDirectory() ? await sourceFilesIn(target) : [await realpath(target)];
  if (files.length === 0) {
    throw new HudkitError("env-not-found", `no .ts, .mts, .js or .mjs file in ${source}: check the path`);
  }
  const workDir = info.isDirectory() ? target : dirname(target);
  const childMain = memo.childMain();
  const external = [...(options.external ?? [])].sort();
  const alias = coreAliases();
  const esbuild = await import("esbuild");
  const codeCache = options.codeCache === true;
  const key = sha256(
    JSON.stringify({
      BUNDLE_FORMAT,
      childMain,
      files,
      target,
      codeCache,
      external,
      alias,
      esbuild: esbuild.version,
    }),
  );
  const cacheDir = resolve(options.cacheDir ?? DEFAULT_BUNDLE_CACHE_DIR);
  const manifestFile = join(cacheDir, `${key.slice(0, NAME_DIGITS)}.json`);
  const launchable = async (bundle: string, built: boolean, inputs: number): Promise<LaunchableBundle> => ({
    file: join(cacheDir, bundle),
    built,
    inputs,
    launcher: bundle.endsWith(".cjs") ? await memo.launcherIn(cacheDir, built) : undefined,
  });

  const cached = await readManifest(manifestFile);
  if (cached && (await isFresh(cached, cacheDir, memo))) {
    return launchable(cached.bundle, false, cached.inputs.length);
  }

  const build = (format: "esm" | "cjs") =>
    esbuild.build({
      stdin: {
        contents: bundleEntrySource(childMain, files, target, format),
        resolveDir: workDir,
        sourcefile: ENTRY_NAME,
        loader: "js",
      },
      absWorkingDir: workDir,
      bundle: true,
      platform: "node",
      format,
      target: "node20",
      write: false,
      metafile: true,
      logLevel: "silent",
      legalComments: "none",
      alias,
      // Less text for V8 to scan at every child start; names stay, for readable stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      banner: {
        // CommonJS dependencies (ws) call require() for Node built-ins; an ESM bundle has none.
        // A CommonJS bundle stays strict code, as the ESM modules it came from were.
        js:
          format === "esm"
            ? 'import { createRequire as __hudkitCreateRequire } from "node:module";\nvar require = __hudkitCreateRequire(import.meta.url);'
            : '"use strict";',
      },
      plugins: [unbundledPackagesPlugin({ external }), importMetaPathsPlugin()],
    });
  let result: Awaited<ReturnType<typeof esbuild.build>> | undefined;
  let format: "esm" | "cjs" = "esm";
  if (codeCache) {
    // Anything CommonJS cannot express (top-level await, a bare import.meta) means ESM; so does
    // any other failure, which the ESM build then reports as itself.
    const cjs = await build("cjs").catch(() => undefined);
    if (cjs !== undefined && !cjs.warnings.some((warning) => warning.id === "empty-import-meta")) {
      result = cjs;
      format = "cjs";
    }
  }
  try {
    result ??= await build("esm");
  } catch (error) {
    throw new HudkitError("env-bundle-failed", `cannot bundle ${source}: ${buildErrorText(error)}`, {
      cause: error,
    });
  }
  const inputs = await Promise.all(
    Object.keys(result.metafile!.inputs)
      // `namespace:path` inputs are virtual modules, not files.
      .filter((input) => input !== ENTRY_NAME && !/^[a-z-]+:/.test(input))
      .map(async (input) => {
        const path = resolve(workDir, input);
        const digest = await memo.sha256Of(path);
        if (digest === undefined)
          throw new HudkitError("env-bundle-failed", `${path} vanished while bundling ${source}`);
        return { path, sha256: digest };
      }),
  );
  inputs.sort((a, b) => a.path.localeCompare(b.path));
  const bundle = `${sha256(JSON.stringify({ key, inputs })).slice(0, NAME_DIGITS)}.${format === "esm" ? "mjs" : "cjs"}`;
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(join(cacheDir, bundle), result.outputFiles![0]!.contents);
  await writeAtomically(manifestFile, `${JSON.stringify({ bundle, inputs } satisfies Manifest)}\n`);
  return launchable(bundle, true, inputs.length);
}

async function readManifest(file: string): Promise<Manifest | undefined> {
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return undefined;
  }
}

/** The bundle exists and every input file still has the contents it was built from. */
async function isFresh(manifest: Manifest, cacheDir: string, memo: InputHashMemo): Promise<boolean> {
  if (!(await stat(join(cacheDir, manifest.bundle)).catch(() => undefined))) return false;
  const same = await Promise.all(
    manifest.inputs.map(async (input) => (await memo.sha256Of(input.path)) === input.sha256),
  );
  return same.every(Boolean);
}

/** Another process may read the cache at any moment: it sees the old file or the new, whole. */
async function writeAtomically(file: string, contents: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, file);
}

async function sourceFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && SOURCE_EXTENSIONS.has(extname(e.name)) && !SKIPPED.test(e.name))
    .map((e) => join(dir, e.name))
    .sort();
  return Promise.all(files.map((file) => realpath(file)));
}

function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** esbuild's first error as `file:line:column: text`, the way editors link it. */
function buildErrorText(error: unknown): string {
  const messages: Message[] = (error as Partial<BuildFailure>).errors ?? [];
  const first = messages[0];
  if (!first) return error instanceof Error ? error.message : String(error);
  const where = first.location
    ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: `
    : "";
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more errors)` : "";
  return `${where}${first.text}${more}`;
}
