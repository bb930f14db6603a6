import { z } from "zod";

/**
 * The zod schema of what an agent observes after a step: a screenshot (base64 PNG) and/or text
 * (the prompt after `reset()`, a command's output after a `bash` action).
 *
 * @example
 * ```ts
 * const observation = ObservationSchema.parse({ text: "How many 'r's are in 'strawberry'?" });
 * ```
 */
export const ObservationSchema = z.object({
  screenshot: z.string().optional(),
  text: z.string().optional(),
});

/**
 * What an agent observes after a step (see {@link ObservationSchema}).
 *
 * @example
 * ```ts
 * const [observation] = await env.reset();
 * console.log(observation.text);
 * ```
 */
export type Observation = z.output<typeof ObservationSchema>;

/**
 * The zod schema of one step's result, the object form of the tuple `step()` returns.
 *
 * @example
 * ```ts
 * const [observation, reward, terminated, info] = await env.step(actions);
 * const result = TaskResultSchema.parse({ observation, reward, terminated, info });
 * ```
 */
export const TaskResultSchema = z.object({
  observation: ObservationSchema,
  reward: z.number(),
  terminated: z.boolean(),
  info: z.record(z.string(), z.unknown()),
});

/**
 * One step's result (see {@link TaskResultSchema}).
 *
 * @example
 * ```ts
 * const result: TaskResult = { observation: { text: "hi" }, reward: 0, terminated: false, info: {} };
 * ```
 */
export type TaskResult = z.output<typeof TaskResultSchema>;
