import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import { HudkitError } from "@hudkit/core";
import { shellQuote } from "../shell-quote.js";

/**
 * What an exported task keeps of the env project's Dockerfile: its final base image, and the
 * global `ARG`s before the first `FROM`, which that `FROM` may refer to.
 *
 * @example
 * ```ts
 * const base: DockerfileBase = { from: "FROM node:24-bookworm-slim", globalArgs: [] };
 * ```
 */
export interface DockerfileBase {
  /** The last `FROM` instruction, as written (continuations joined). */
  from: string;
  /** `ARG` instructions before the first `FROM`. */
  globalArgs: string[];
}

/**
 * Reads the base of an env project's Dockerfile (see {@link dockerfileBase}).
 *
 * @example
 * ```ts
 * const base = await readDockerfileBase("examples/letter-count/Dockerfile.hud");
 * ```
 */
export async function readDockerfileBase(file: string): Promise<DockerfileBase> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new HudkitError(
      "harbor-export-dockerfile",
      `cannot read the env's Dockerfile ${file} (${reason}): write one (hud init writes a Dockerfile.hud) or pass dockerfile (--dockerfile <file>)`,
      { cause: error },
    );
  }
  return dockerfileBase(text, file);
}

/**
 * The base of a Dockerfile's text: the last `FROM` (the image the env runs on) and the global
 * `ARG`s. The other steps are left out on purpose: in a `Dockerfile.hud` they `COPY` the env
 * bundle and set the env's own `CMD`, and the exported folder ships its own bundle and entrypoint;
 * their build context (the project) is not part of the export either. A final stage built `FROM`
 * an earlier stage cannot be kept that way, so it is an error.
 *
 * @example
 * ```ts
 * dockerfileBase("FROM node:24-bookworm-slim\nCOPY . /env\n", "Dockerfile.hud");
 * // { from: "FROM node:24-bookworm-slim", globalArgs: [] }
 * ```
 */
export function dockerfileBase(text: string, file: string): DockerfileBase {
  const globalArgs: string[] = [];
  const stages = new Set<string>();
  let from: string | undefined;
  for (const instruction of logicalInstructions(text)) {
    const keyword = instruction.split(/\s+/, 1)[0]!.toUpperCase();
    if (keyword === "ARG" && from === undefined) globalArgs.push(instruction);
    if (keyword !== "FROM") continue;
    const words = instruction.split(/\s+/).slice(1);
    const image = words.find((word) => !word.startsWith("--"));
    if (image !== undefined && stages.has(image.toLowerCase())) {
      throw new HudkitError(
        "harbor-export-dockerfile",
        `${file}: its last stage is built FROM the earlier stage ${image}, which an export cannot keep: end it with a stage FROM an image`,
      );
    }
    const as = words.findIndex((word) => word.toUpperCase() === "AS");
    if (as >= 0 && words[as + 1] !== undefined) stages.add(words[as + 1]!.toLowerCase());
    from = instruction;
  }
  if (from === undefined) {
    throw new HudkitError(
      "harbor-export-dockerfile",
      `${file} has no FROM instruction: name the env's base image`,
    );
  }
  return { from, globalArgs };
}

/** The instructions of a Dockerfile, comments and blank lines dropped, `\` continuations joined. */
function logicalInstructions(text: string): string[] {
  const instructions: string[] = [];
  let pending = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    // Comment and blank lines may sit inside a continued instruction; Docker skips them there too.
    if (line.startsWith("#") || line === "") continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const instruction = `${pending}${line}`.trim();
    pending = "";
    if (instruction !== "") instructions.push(instruction);
  }
  if (pending.trim() !== "") instructions.push(pending.trim());
  return instructions;
}

/**
 * Settings of {@link exportedDockerfile}.
 *
 * @example
 * ```ts
 * const settings: ExportedDockerfileSettings = { base, answerFile: "/workspace/answer.txt", source: "Dockerfile.hud" };
 * ```
 */
export interface ExportedDockerfileSettings {
  base: DockerfileBase;
  /** The absolute path the agent writes its answer to; its directory is created in the image. */
  answerFile: string;
  /** The Dockerfile the base came from, as the comment names it (a file name, not a host path). */
  source: string;
}

/**
 * The exported task's `environment/Dockerfile`: the env's base image, the `hudkit/` folder
 * (env bundle, task driver, entrypoint), and the entrypoint that serves the env and starts the
 * task before Harbor's `sleep infinity`. Legacy-builder syntax only (no `COPY --chmod`, heredoc
 * or `RUN --mount`), since Harbor may build it without BuildKit.
 *
 * @example
 * ```ts
 * await writeFile("environment/Dockerfile", exportedDockerfile({ base, answerFile, source: "Dockerfile.hud" }));
 * ```
 */
export function exportedDockerfile(settings: ExportedDockerfileSettings): string {
  const answerDir = posix.dirname(settings.answerFile);
  return [
    `# Written by hud harbor export. The base image is ${settings.source}'s; its other steps are not`,
    "# kept: hudkit/ holds the bundled env (no npm install needed) and the script that serves it.",
    ...settings.base.globalArgs,
    settings.base.from,
    "COPY hudkit/ /hudkit/",
    `RUN chmod 755 /hudkit/entrypoint.sh && mkdir -p ${shellQuote(answerDir)}`,
    'ENTRYPOINT ["/hudkit/entrypoint.sh"]',
    'CMD ["sh","-c","sleep infinity"]',
    "",
  ].join("\n");
}
