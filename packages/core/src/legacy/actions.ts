import { z } from "zod";

/**
 * The zod schema of the `response` action: the agent's answer, sent to `tasks.grade` by
 * `evaluate()`.
 *
 * @example
 * ```ts
 * await env.step([ResponseActionSchema.parse({ type: "response", text: "3" })]);
 * ```
 */
export const ResponseActionSchema = z.object({ type: z.literal("response"), text: z.string() });

/**
 * The zod schema of the `bash` action: a command run over the env's `ssh/2` capability.
 *
 * @example
 * ```ts
 * await env.step([BashActionSchema.parse({ type: "bash", command: "ls /" })]);
 * ```
 */
export const BashActionSchema = z.object({
  type: z.literal("bash"),
  command: z.string().min(1),
  /** Stops the command after this long; the step's info then carries the error. */
  timeoutMs: z.number().positive().optional(),
});

/**
 * The zod schema of any action `step()` accepts: `response`, `bash`, or any other `{ type }`,
 * which is answered with an error naming the capability it would need.
 *
 * @example
 * ```ts
 * const actions = z.array(ActionSchema).parse(JSON.parse(fromModel));
 * ```
 */
export const ActionSchema = z.union([
  ResponseActionSchema,
  BashActionSchema,
  z.looseObject({ type: z.string().min(1) }),
]);

/**
 * An action for `step()` (see {@link ActionSchema}).
 *
 * @example
 * ```ts
 * const actions: Action[] = [{ type: "bash", command: "whoami" }, { type: "response", text: "done" }];
 * ```
 */
export type Action = z.output<typeof ActionSchema>;

// The older API's computer-use actions all act on a screen; none of them has a driver here yet.
const SCREEN_ACTIONS = new Set([
  "click",
  "press",
  "keydown",
  "keyup",
  "type",
  "scroll",
  "move",
  "drag",
  "wait",
  "screenshot",
  "position",
]);

/**
 * Why an action type other than `response` and `bash` cannot be applied: the capability it
 * would need, named so the user knows what the env would have to publish.
 *
 * @example
 * ```ts
 * unsupportedActionMessage("click"); // "action 'click' needs a computer-use capability (a screen: ..."
 * ```
 */
export function unsupportedActionMessage(type: string): string {
  if (SCREEN_ACTIONS.has(type)) {
    return `action '${type}' needs a computer-use capability (a screen: vnc or cdp), which makeEnv does not drive; supported actions: response, bash (over ssh/2)`;
  }
  return `unknown action '${type}': no capability handles it; supported actions: response, bash (over ssh/2)`;
}
