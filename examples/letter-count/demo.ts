/**
 * Serves the letter-count environment on a local port and drives it over the wire with a
 * programmatic agent that parses the prompt and counts. Prints one line per task and the mean.
 */
import { bind, connect } from "@hudkit/core";
import { countLetter, env } from "./env.js";

const tasks = [
  countLetter({}),
  countLetter({ word: "banana", letter: "a" }),
  countLetter({ word: "raspberry" }),
  countLetter({ word: "mississippi", letter: "s" }),
];

function solve(prompt: string): string {
  const match = /How many '(.)'s are in '(.*)'\?/.exec(prompt);
  if (!match) return "";
  const [, letter, word] = match;
  return String([...word!].filter((c) => c === letter).length);
}

await using server = await bind(env, { port: 0 });
let total = 0;
for (const task of tasks) {
  await using client = await connect(server.url);
  const frame = await client.start(task.id, task.args);
  const grade = await client.grade({ answer: solve(String(frame.prompt)) });
  total += grade.reward;
  console.log(`${task.slug.padEnd(24)} reward ${grade.reward}`);
}
console.log(`mean reward ${(total / tasks.length).toFixed(2)} over ${tasks.length} tasks (${server.url})`);
