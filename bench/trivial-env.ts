import { Environment, z } from "@hudkit/core";

/** The environment the protocol benchmark serves: one template, no capabilities. */
export const env = new Environment({ name: "bench", version: "1.0.0" });

env.template({ id: "echo", args: z.object({ tag: z.string() }) }, async function* ({ tag }) {
  const answer = yield `say ${tag}`;
  yield answer === tag ? 1 : 0;
});
