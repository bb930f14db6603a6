/**
 * Collects a stream's bytes, keeping only the last `maxBytes` so a chatty command cannot exhaust
 * memory; the end of the output is where errors are.
 *
 * @example
 * ```ts
 * const text = (await capturedTail(child.stdout, 65_536)).toString("utf8");
 * ```
 */
export function capturedTail(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.length;
      while (size - chunks[0]!.length >= maxBytes) size -= chunks.shift()!.length;
    });
    stream.once("end", () => {
      const all = Buffer.concat(chunks);
      resolve(all.length > maxBytes ? all.subarray(all.length - maxBytes) : all);
    });
    stream.once("error", reject);
  });
}
