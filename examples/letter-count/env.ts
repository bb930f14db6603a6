import { Environment, z } from "@hudkit/core";

export const env = new Environment({ name: "letter-count", version: "1.0.0" });

export const countLetter = env.template(
  {
    id: "count_letter",
    description: "Count how often a letter occurs in a word",
    args: z.object({ word: z.string().default("strawberry"), letter: z.string().default("r") }),
    // The reference answer: what the oracle submits (`hud harbor export` writes it to solve.sh).
    solution: ({ word, letter }) => String([...word].filter((c) => c === letter).length),
  },
  async function* ({ word, letter }) {
    const answer = yield `How many '${letter}'s are in '${word}'? Reply with just the number.`;
    const expected = [...word].filter((c) => c === letter).length;
    yield String(answer ?? "").trim() === String(expected) ? 1 : 0;
  },
);
