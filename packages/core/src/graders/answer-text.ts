/**
 * The text a text grader reads from an answer: a string as it is, `null` or `undefined` as
 * `""` (the reference client sends `null` when the agent gave no text), anything else as JSON,
 * the same rule `Answer.raw` follows, so a structured answer reads the same in both places.
 */
export function answerText(answer: unknown): string {
  if (typeof answer === "string") return answer;
  if (answer === null || answer === undefined) return "";
  if (typeof answer === "number" || typeof answer === "boolean" || typeof answer === "bigint") {
    return String(answer);
  }
  try {
    return JSON.stringify(answer) ?? String(answer);
  } catch {
    // Cyclic objects cannot be JSON; String() still gives the grader something to read.
    return String(answer);
  }
}
