import { posix } from "node:path";
import { shellQuote } from "../shell-quote.js";
import { TASK_DRIVER_PORT } from "./task-driver.js";

/** Where the Dockerfile copies `environment/hudkit/` in the image. */
export const CONTAINER_HUDKIT_DIR = "/hudkit";
/** The env's output in the container, for whoever debugs a task that would not start or grade. */
const ENV_LOG = `${CONTAINER_HUDKIT_DIR}/env.log`;
/**
 * How long the entrypoint waits for the env to listen, in tenths of a second (60 s): a bundled
 * env starts in well under a second, but a container on a loaded host can be slow.
 */
const LISTEN_WAIT_TICKS = 600;

/**
 * Settings of {@link entrypointScript}.
 *
 * @example
 * ```ts
 * const settings: EntrypointSettings = { envName: "letter-count", taskId: "count_letter", args: { word: "kiwi" } };
 * ```
 */
export interface EntrypointSettings {
  /** `task.env`: picks the environment when the bundle holds several. */
  envName: string;
  taskId: string;
  /** The task's args, as the row holds them. */
  args: Record<string, unknown>;
}

/**
 * `environment/hudkit/entrypoint.sh`, the image's entrypoint: serves the bundled env on the
 * loopback port in the background, waits until it listens, starts the task on it (the session
 * stays parked until `tests/test.sh` grades it), then runs Harbor's command. A failed start
 * exits 1 with the env's log, so the trial fails at start-up instead of being graded.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, "entrypoint.sh"), entrypointScript({ envName, taskId, args }), { mode: 0o755 });
 * ```
 */
export function entrypointScript(settings: EntrypointSettings): string {
  const driver = `${CONTAINER_HUDKIT_DIR}/task.mjs`;
  return `#!/bin/sh
# Written by hud harbor export: serves the hudkit env in this container, starts the task on it
# (tests/test.sh grades it later), then runs the container's command.
set -u
node ${CONTAINER_HUDKIT_DIR}/env.mjs --host 127.0.0.1 --port ${TASK_DRIVER_PORT} --task-env ${shellQuote(settings.envName)} </dev/null >${ENV_LOG} 2>&1 &
env_pid=$!
ticks=0
until grep -q '^HUD_SERVE_PORT=' ${ENV_LOG} 2>/dev/null; do
  if ! kill -0 "$env_pid" 2>/dev/null; then
    echo "hudkit: the env exited before it served; its log:" >&2
    cat ${ENV_LOG} >&2
    exit 1
  fi
  ticks=$((ticks + 1))
  if [ "$ticks" -ge ${LISTEN_WAIT_TICKS} ]; then
    echo "hudkit: the env did not listen on port ${TASK_DRIVER_PORT} within 60 s; its log:" >&2
    cat ${ENV_LOG} >&2
    exit 1
  fi
  sleep 0.1
done
if ! node ${driver} start --task ${shellQuote(settings.taskId)} --args ${shellQuote(JSON.stringify(settings.args))}; then
  echo "hudkit: starting the task failed; the env's log:" >&2
  cat ${ENV_LOG} >&2
  exit 1
fi
exec "$@"
`;
}

/**
 * `tests/test.sh`: grades the parked task with the answer file and writes the reward to
 * `/logs/verifier/reward.txt`. When grading fails it removes the file and exits 1, so Harbor
 * records an error rather than a reward of 0 (a broken grader is not a wrong answer).
 *
 * @example
 * ```ts
 * await writeFile(join(dir, "tests/test.sh"), testScript("/workspace/answer.txt"), { mode: 0o755 });
 * ```
 */
export function testScript(answerFile: string): string {
  return `#!/bin/bash
# Written by hud harbor export: grades the task the container's entrypoint started, with the
# agent's answer file. A grading failure leaves no reward file: a Harbor error, never a 0.
mkdir -p /logs/verifier
if ! node ${CONTAINER_HUDKIT_DIR}/task.mjs grade --answer-file ${shellQuote(answerFile)} > /logs/verifier/reward.txt; then
  rm -f /logs/verifier/reward.txt
  echo "hudkit: grading failed; the env's log ends with:" >&2
  tail -n 50 ${ENV_LOG} >&2
  exit 1
fi
`;
}

/**
 * `solution/solve.sh`: writes the template's reference answer (as answer-file text) to the
 * answer file, byte for byte: this is what Harbor's oracle agent runs.
 *
 * @example
 * ```ts
 * solveScript("3", "/workspace/answer.txt"); // ... printf '%s' '3' > '/workspace/answer.txt'
 * ```
 */
export function solveScript(answer: string, answerFile: string): string {
  return `#!/bin/bash
# Written by hud harbor export: the template's reference answer (its \`solution\`) for this task.
set -euo pipefail
mkdir -p ${shellQuote(posix.dirname(answerFile))}
printf '%s' ${shellQuote(answer)} > ${shellQuote(answerFile)}
`;
}
