import { posix } from "node:path";
import { HudkitError } from "@hudkit/core";

/**
 * Base image retargets, `from → to`: `{ "ubuntu:24.04": "debian-local:bookworm" }` makes
 * `FROM ubuntu:24.04` and `docker_image = "ubuntu:24.04"` use the local image, for engines that
 * cannot reach a registry.
 *
 * @example
 * ```ts
 * const map: ImageMap = parseImageMap(["ubuntu:24.04=node:24-bookworm-slim"]);
 * ```
 */
export type ImageMap = Readonly<Record<string, string>>;

/**
 * Reads `from=to` pairs (the CLI's repeatable `--image-map`). A pair without `=` or with an
 * empty side is an error naming it.
 *
 * @example
 * ```ts
 * parseImageMap(["ubuntu:24.04=node:24-bookworm-slim"]); // { "ubuntu:24.04": "node:24-bookworm-slim" }
 * ```
 */
export function parseImageMap(pairs: readonly string[]): ImageMap {
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const from = pair.slice(0, at).trim();
    const to = pair.slice(at + 1).trim();
    if (at < 0 || from === "" || to === "") {
      throw new HudkitError(
        "invalid-image-map",
        `--image-map ${JSON.stringify(pair)}: expected <image>=<local image>, e.g. ubuntu:24.04=my-base:latest`,
      );
    }
    map[from] = to;
  }
  return map;
}

/** `image` retargeted by `map`; `name` and `name:latest` are the same image. */
export function mapImage(image: string, map: ImageMap): string {
  const direct = map[image];
  if (direct !== undefined) return direct;
  const lastPart = image.slice(image.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && !image.includes("@")) return map[`${image}:latest`] ?? image;
  if (image.endsWith(":latest")) return map[image.slice(0, -":latest".length)] ?? image;
  return image;
}

const FROM_LINE = /^(\s*FROM\s+)((?:--\S+\s+)*)(\S+)(.*)$/i;
const CHMOD_COPY = /^(\s*)(COPY|ADD)\s+((?:--\S+\s+)*)(.*)$/i;

function splitWords(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === "string")) return parsed;
    } catch {
      // not the JSON form after all; fall through to words
    }
  }
  return trimmed.split(/\s+/);
}

function rewriteChmodCopy(line: string, lineNumber: number): string {
  const match = CHMOD_COPY.exec(line);
  if (match === null) return line;
  const [, indent, instruction, flagText, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const flags = flagText.trim() === "" ? [] : flagText.trim().split(/\s+/);
  const chmod = flags.find((flag) => flag.startsWith("--chmod="));
  if (chmod === undefined) return line;
  const mode = chmod.slice("--chmod=".length);
  if (!/^[0-7]{3,4}$/.test(mode)) {
    throw new HudkitError(
      "dockerfile-buildkit",
      `Dockerfile line ${lineNumber}: ${chmod} is not an octal mode this runner can rewrite (it needs BuildKit)`,
    );
  }
  const words = splitWords(rest);
  const dest = words.at(-1)!;
  const sources = words.slice(0, -1);
  const kept = flags.filter((flag) => flag !== chmod);
  // Legacy builder: copy, then chmod what was copied, which is what --chmod would have produced.
  const targets =
    sources.length === 1 && !dest.endsWith("/")
      ? [dest]
      : sources.map((source) => posix.join(dest, posix.basename(source.replace(/\/+$/, ""))));
  const quoted = targets.map((target) => `'${target.replaceAll("'", `'\\''`)}'`).join(" ");
  return `${indent}${instruction} ${kept.length > 0 ? `${kept.join(" ")} ` : ""}${rest}\n${indent}RUN chmod -R ${mode} ${quoted}`;
}

/**
 * A Harbor task's Dockerfile made buildable by the legacy builder with only local images:
 * `FROM` images retargeted through `map`, and `COPY --chmod=<octal>` rewritten to `COPY` plus
 * `RUN chmod` (spec §5 item 17). Heredocs and `RUN --mount` cannot be rewritten and are refused
 * with the line number.
 *
 * @example
 * ```ts
 * rewriteDockerfile("FROM ubuntu:24.04\nCOPY --chmod=0755 run.sh /run.sh\n", { "ubuntu:24.04": "base:local" });
 * // "FROM base:local\nCOPY run.sh /run.sh\nRUN chmod -R 0755 '/run.sh'\n"
 * ```
 */
export function rewriteDockerfile(text: string, map: ImageMap): string {
  const lines = text.split("\n");
  return lines
    .map((line, index) => {
      const lineNumber = index + 1;
      if (/^\s*RUN\s+(?:--\S+\s+)*--mount[=\s]/i.test(line)) {
        throw new HudkitError(
          "dockerfile-buildkit",
          `Dockerfile line ${lineNumber}: RUN --mount needs BuildKit, which this runner does not use`,
        );
      }
      if (/^\s*(RUN|COPY|ADD)\b.*<<-?\s*["']?[A-Za-z_]+/i.test(line)) {
        throw new HudkitError(
          "dockerfile-buildkit",
          `Dockerfile line ${lineNumber}: heredocs need BuildKit, which this runner does not use`,
        );
      }
      const from = FROM_LINE.exec(line);
      if (from !== null) {
        const [, head, flags, image, tail] = from as unknown as [string, string, string, string, string];
        return `${head}${flags}${mapImage(image, map)}${tail}`;
      }
      return rewriteChmodCopy(line, lineNumber);
    })
    .join("\n");
}
