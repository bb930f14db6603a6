import { answerText } from "./answer-text.js";

// Python's `[^\w\s]` on str: \w there is any letter, number or underscore in Unicode, so the
// JavaScript form needs \p{L}\p{N}; a plain \w would strip accented letters.
const PUNCTUATION = /[^\p{L}\p{N}_\s]/gu;
// JavaScript's \b is ASCII-only even with the u flag, so "éa" would lose its "a"; spell the
// boundary out with the same word class instead.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
const WHITESPACE = /\s+/gu;

/**
 * The reference's `normalize`: lowercase, punctuation to a space, the words a/an/the dropped,
 * whitespace collapsed and trimmed. Non-strings are read as {@link answerText} does.
 *
 * @example
 * ```ts
 * normalizeText("  The Answer is: 42! "); // "answer is 42"
 * ```
 */
export function normalizeText(text: unknown): string {
  return answerText(text)
    .toLowerCase()
    .replace(PUNCTUATION, " ")
    .replace(ARTICLES, " ")
    .replace(WHITESPACE, " ")
    .trim();
}
