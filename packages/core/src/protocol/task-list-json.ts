import type { Environment } from "../environment/environment.js";
import type { Template } from "../environment/template.js";

/** The serialised `tasks.list` result of each environment, with the templates it was made from. */
const cache = new WeakMap<Environment, { templates: readonly Template[]; json: string }>();

/**
 * The `tasks.list` result (`{"tasks": [...]}`) as JSON text, serialised once per set of
 * templates: every call answers with the same manifest, and stringifying its JSON Schemas was
 * most of the server's work per call. A template registered later makes it serialise again.
 *
 * @example
 * ```ts
 * const reply = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${taskListJson(env)}}`;
 * ```
 */
export function taskListJson(env: Environment): string {
  const cached = cache.get(env);
  if (cached !== undefined && isSameTemplates(cached.templates, env.templates)) return cached.json;
  const templates = [...env.templates.values()];
  const json = JSON.stringify({ tasks: templates.map((template) => template.manifestEntry()) });
  cache.set(env, { templates, json });
  return json;
}

function isSameTemplates(list: readonly Template[], current: ReadonlyMap<string, Template>): boolean {
  if (list.length !== current.size) return false;
  let index = 0;
  for (const template of current.values()) if (template !== list[index++]) return false;
  return true;
}
