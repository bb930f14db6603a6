/**
 * `@hudkit/core`: the HUD v6 control-channel protocol, Environment authoring, and the Task model.
 *
 * @example
 * ```ts
 * import { Environment, bind, connect, z } from "@hudkit/core";
 * ```
 */
export { z } from "zod";
export * from "./environment/index.js";
export * from "./errors/index.js";
export * from "./graders/index.js";
export * from "./legacy/index.js";
export * from "./protocol/index.js";
export * from "./run/index.js";
export * from "./runtime/index.js";
export * from "./shell/index.js";
export * from "./task/index.js";
