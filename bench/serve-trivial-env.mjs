// Serves trivial-env.ts the way a child-process runtime does, through the built package.
import { register } from "tsx/esm/api";

register();
const { serve } = await import("@hudkit/core");
const { env } = await import("./trivial-env.ts");
await serve(env, { port: 0 });
