import type Docker from "dockerode";

/** Lines of a container's output kept for a failed run. */
export const LOG_TAIL_LINES = 50;

/**
 * The last lines of a container's stdout and stderr, interleaved as written. A container
 * started without a TTY sends both in frames with an 8-byte header (stream, 0, 0, 0, size),
 * which this takes apart.
 *
 * @example
 * ```ts
 * const tail = await containerLogTail(docker.getContainer(id));
 * ```
 */
export async function containerLogTail(container: Docker.Container, lines = LOG_TAIL_LINES): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown;
  const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw));
  return demultiplex(buffer).toString("utf8");
}

/** The payload of Docker's multiplexed stream format; anything else is returned as is. */
export function demultiplex(buffer: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const framed = (stream === 0 || stream === 1 || stream === 2) && buffer.readUIntBE(offset + 1, 3) === 0;
    if (!framed || offset + 8 + size > buffer.length) return offset === 0 ? buffer : Buffer.concat(parts);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer : Buffer.concat(parts);
}
