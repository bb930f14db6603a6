const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Rows parsed from some lines of a JSONL text, and where the next line starts. */
export interface JsonLinesChunk {
  /** One parsed value per line, in order; the chunk has no blank lines. */
  rows: unknown[];
  /** The index in the text just past the chunk (after its last line break, if any). */
  end: number;
}

/**
 * Scans up to `maxLines` lines of `text` from `start`, checking that they are laid out like
 * well-formed JSONL: every line break outside strings and brackets, and no line blank (JSON
 * whitespace only). Answers how many lines there are and where they end, or undefined.
 */
function scanRowLines(
  text: string,
  start: number,
  maxLines: number,
): { lines: number; end: number } | undefined {
  let lines = 0;
  let depth = 0;
  let inString = false;
  let blank = true;
  for (let i = start; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (inString) {
      if (unit === QUOTE) inString = false;
      else if (unit === BACKSLASH) i++;
      // A raw line break cannot be in a JSON string; the line-by-line parse words the error.
      else if (unit === NEWLINE) return undefined;
      continue;
    }
    switch (unit) {
      case NEWLINE:
        if (depth !== 0 || blank) return undefined;
        blank = true;
        if (++lines === maxLines) return { lines, end: i + 1 };
        continue;
      case 0x20: // space
      case 0x09: // tab
      case 0x0d: // carriage return: JSON whitespace, so a CRLF line needs no special case
        continue;
      case QUOTE:
        inString = true;
        break;
      case 0x7b: // {
      case 0x5b: // [
        depth++;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        if (--depth < 0) return undefined;
        break;
    }
    blank = false;
  }
  // The text's last line, if it has no line break: blank here means a trailing run of
  // whitespace, which the join below would turn into a syntax error, so it is refused.
  if (inString || depth !== 0 || (blank && text.charCodeAt(text.length - 1) !== NEWLINE)) return undefined;
  return { lines: blank ? lines : lines + 1, end: text.length };
}

/**
 * Parses up to `maxLines` lines of a JSONL text from `start` with one `JSON.parse` of the lines
 * joined into a JSON array, several times quicker than a `JSON.parse` per line: no string per
 * line and no per-call overhead. Chunks of a few hundred lines rather than the whole file keep
 * the parsed row objects short-lived, so that the garbage collector need not copy 100k of them
 * while they wait for validation. Answers undefined unless the join is certain to give exactly
 * what parsing each line would, so that the caller parses line by line and reports any error at
 * its line. Row `i` of the chunk is then the chunk's `i`th line, since none is blank.
 *
 * Why the join is faithful: the scan puts every line break outside strings and brackets, so the
 * comma replacing it separates two array elements. Each line, lying between such commas, holds
 * at least one value; as many elements as lines means exactly one each, with nothing else on the
 * line but whitespace, so each line alone is valid JSON and parses to its element.
 *
 * @example
 * ```ts
 * parseJsonLinesChunk('{"a":1}\n{"a":2}\n', 0, 500); // { rows: [{ a: 1 }, { a: 2 }], end: 16 }
 * parseJsonLinesChunk('{"a":1}\n\n{"a":2}\n', 0, 500); // undefined: a blank line
 * ```
 */
export function parseJsonLinesChunk(
  text: string,
  start: number,
  maxLines: number,
): JsonLinesChunk | undefined {
  const scan = scanRowLines(text, start, maxLines);
  if (scan === undefined || scan.lines === 0) return undefined;
  const { lines, end } = scan;
  const body = text.slice(start, text.charCodeAt(end - 1) === NEWLINE ? end - 1 : end);
  let rows: unknown;
  try {
    rows = JSON.parse(`[${body.replaceAll("\n", ",")}]`);
  } catch {
    return undefined;
  }
  return Array.isArray(rows) && rows.length === lines ? { rows, end } : undefined;
}
