import { countLetter } from "./env.js";

/** The quick-start taskset: `Taskset.fromFile("tasks.ts")` loads every exported task. */
export const tasks = [
  countLetter({}),
  countLetter({ word: "banana", letter: "a" }),
  countLetter({ word: "raspberry" }),
  countLetter({ word: "mississippi", letter: "s" }),
];
