/**
 * Lays rows out in left-aligned columns two spaces apart, under a header row.
 *
 * @example
 * ```ts
 * formatTable(["task", "reward"], [["count_letter", "1.00"]]);
 * // ["task          reward", "count_letter  1.00"]
 * ```
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
