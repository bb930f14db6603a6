// One number as people write it, tried left to right:
// - a sign only when it does not follow a word character, so "covid-19" reads 19, not -19;
// - an integer part with thousands separators ("1,000,000") only when every group has exactly
//   three digits and no digit follows, else plain digits ("1234,5" reads 1234);
// - an optional fraction, or a bare fraction (".5") that does not follow a word character;
// - an optional exponent ("6.02e23", "1E-3").
const NUMBER =
  /(?:(?<![\p{L}\p{N}_])[-\u2212])?(?:(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|(?<![\p{L}\p{N}_])\.\d+)(?:[eE][-+]?\d+)?/u;

/** The first number found in a text: the characters matched and their value. */
export interface FoundNumber {
  text: string;
  value: number;
}

/**
 * The first number in `text`, or null. It keeps the reference's first-number rule but, unlike
 * the reference's `-?\d+\.?\d*`, reads thousands separators ("1,000" is 1000, not 1) and
 * scientific notation ("1e3" is 1000, not 1). Comma-grouped lists are therefore read as one
 * number ("100,200" is 100200) and decimal commas ("3,5") are not understood.
 */
export function firstNumber(text: string): FoundNumber | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const value = Number(match[0].replaceAll(",", "").replace("\u2212", "-"));
  return { text: match[0], value };
}
