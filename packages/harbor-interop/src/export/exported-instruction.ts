/**
 * An exported task's `instruction.md`: the prompt the task gives when started (a non-string
 * prompt, such as chat turns, as indented JSON), then where to put the final answer, which is
 * what `tests/test.sh` grades.
 *
 * @example
 * ```ts
 * exportedInstruction("How many 'r's are in 'strawberry'?", "/workspace/answer.txt");
 * // "How many 'r's are in 'strawberry'?\n\n---\nWhen you have finished, write your final answer to `/workspace/answer.txt`.\n"
 * ```
 */
export function exportedInstruction(prompt: unknown, answerFile: string): string {
  const text = typeof prompt === "string" ? prompt : JSON.stringify(prompt, null, 2);
  return `${text}\n\n---\nWhen you have finished, write your final answer to \`${answerFile}\`.\n`;
}
