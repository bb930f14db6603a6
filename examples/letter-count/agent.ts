import type { Run } from "@hudkit/core";

/**
 * A programmatic agent: reads the letter and the word out of the prompt and counts. A real agent
 * would send `run.prompt` to a model and drive `run.client`; the contract is the same.
 */
export async function countingAgent(run: Run): Promise<void> {
  const match = /How many '(.)'s are in '(.*)'\?/.exec(run.promptText);
  if (match === null) throw new Error(`unexpected prompt: ${run.promptText}`);
  const [, letter, word] = match;
  run.answer = String([...word!].filter((c) => c === letter).length);
}

/** `hud eval tasks.ts --agent agent.ts` runs the module's default export. */
export default countingAgent;
