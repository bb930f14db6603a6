import type { Taskset } from "@hudkit/core";

/**
 * `Taskset.fromFile` with the formats the CLI ships readers for beyond core's own: Harbor task
 * and dataset folders (`@hudkit/harbor`). Every command that takes a `<source>` loads it here.
 *
 * @example
 * ```ts
 * const taskset = await loadTasksetSource("../shared/harbor-samples");
 * ```
 */
export async function loadTasksetSource(source: string): Promise<Taskset> {
  const [{ Taskset }, { harborTasksetSource }] = await Promise.all([
    import("@hudkit/core"),
    import("@hudkit/harbor"),
  ]);
  return Taskset.fromFile(source, { sources: [harborTasksetSource] });
}
