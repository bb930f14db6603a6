import type { PruneRequest, RuntimePlugin, RuntimeProvider } from "@hudkit/core";
import { readCredentials } from "@hudkit/core";
import { API_KEY_VARIABLE, PROVIDER } from "./daytona-client.js";
import { pruneDaytonaSandboxes } from "./daytona-prune.js";
import { createDaytonaRuntime, type DaytonaRuntimeSettings } from "./daytona-runtime.js";

/**
 * What `--runtime daytona:<arg>` creates sandboxes from. The rule: `snapshot=<name>` and
 * `image=<ref>` say it outright; otherwise an argument with a `/` or a `:` is an image reference
 * (`node:24-bookworm-slim`, `ghcr.io/acme/letter-count`), and anything else a snapshot name
 * (`letter-count`). A snapshot whose name has a `/` or `:` needs the `snapshot=` form.
 *
 * @example
 * ```ts
 * parseDaytonaSource("letter-count"); // { snapshot: "letter-count" }
 * parseDaytonaSource("ghcr.io/acme/letter-count:1"); // { image: "ghcr.io/acme/letter-count:1" }
 * parseDaytonaSource("snapshot=acme/letter-count:1"); // { snapshot: "acme/letter-count:1" }
 * ```
 */
export function parseDaytonaSource(arg: string): { snapshot: string } | { image: string } {
  if (arg.startsWith("snapshot=")) return { snapshot: arg.slice("snapshot=".length) };
  if (arg.startsWith("image=")) return { image: arg.slice("image=".length) };
  return /[/:]/.test(arg) ? { image: arg } : { snapshot: arg };
}

/**
 * The plugin behind `--runtime daytona:<snapshot-or-image>` (see {@link parseDaytonaSource}) and
 * `hud daytona prune`: a {@link createDaytonaRuntime} provider whose other settings come from
 * `options`. The argument replaces any `snapshot` or `image` of the options. A missing
 * `DAYTONA_API_KEY` is one error here, before the job starts, rather than a failed rollout per
 * task; Daytona itself is first contacted by the first rollout.
 *
 * @example
 * ```ts
 * const provider = await daytonaPlugin.create("letter-count", { envVars: { LOG_LEVEL: "debug" } });
 * ```
 */
export const daytonaPlugin: RuntimePlugin = {
  specificationVersion: "runtime-plugin-v1",
  name: PROVIDER,
  create(arg: string, options: Record<string, unknown>): RuntimeProvider {
    const settings =
      arg === ""
        ? options
        : {
            ...Object.fromEntries(
              Object.entries(options).filter(([key]) => key !== "snapshot" && key !== "image"),
            ),
            ...parseDaytonaSource(arg),
          };
    const provider = createDaytonaRuntime(settings as DaytonaRuntimeSettings);
    if (settings.apiKey === undefined && settings.daytona === undefined) {
      // Only that it is set: the client is still built by the first rollout.
      readCredentials(PROVIDER, [API_KEY_VARIABLE]);
    }
    return provider;
  },
  prune(request: PruneRequest) {
    return pruneDaytonaSandboxes({
      ...(request.jobId !== undefined ? { jobId: request.jobId } : {}),
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    });
  },
};
