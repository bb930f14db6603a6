import { HudkitError } from "@hudkit/core";
import type { ContainerAccess, ExecOptions } from "../container/container-access.js";
import type { HealthcheckConfig } from "../task-toml-schema.js";

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Runs a Harbor healthcheck with Docker's semantics (spec §1.5, §5 item 19): during
 * `start_period_sec` failures do not count and tries come every `start_interval_sec`; after it,
 * `retries` consecutive failures (a non-zero exit or a try longer than `timeout_sec`) fail with a
 * `HudkitError` coded `harbor-healthcheck` carrying the last output.
 *
 * @example
 * ```ts
 * await runHealthcheck(access, { command: "test -f /ready", interval_sec: 1, timeout_sec: 5, start_period_sec: 0, start_interval_sec: 1, retries: 3 }, { workdir: "/app" }, "hello");
 * ```
 */
export async function runHealthcheck(
  access: ContainerAccess,
  check: HealthcheckConfig,
  exec: ExecOptions,
  where: string,
): Promise<void> {
  const startedAt = Date.now();
  let failures = 0;
  let last = "";
  for (;;) {
    const inStartPeriod = Date.now() - startedAt < check.start_period_sec * 1000;
    try {
      const result = await access.exec(check.command, { ...exec, timeoutMs: check.timeout_sec * 1000 });
      if (result.exitCode === 0) return;
      last = `exit ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(-500)}`;
    } catch (error) {
      if (exec.signal?.aborted) throw error;
      last = (error as Error).message;
    }
    if (!inStartPeriod) failures += 1;
    if (failures >= check.retries) {
      throw new HudkitError(
        "harbor-healthcheck",
        `${where}: healthcheck failed ${failures} times in a row (${check.command}): ${last}`,
      );
    }
    await sleep((inStartPeriod ? check.start_interval_sec : check.interval_sec) * 1000, exec.signal);
  }
}
