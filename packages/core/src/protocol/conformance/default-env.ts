import { Environment } from "../../environment/environment.js";

/**
 * The `environment` environment of the recorded vectors (`envs.md` §3): `Environment()` with
 * every constructor default (name `"environment"`, version `"0.0.1"`) and nothing registered.
 */
export function createDefaultEnv(): Environment {
  return new Environment();
}
