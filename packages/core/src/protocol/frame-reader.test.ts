import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { FrameReader, FrameTooLargeError } from "./frame-reader.js";

async function readAll(reader: FrameReader): Promise<string[]> {
  const lines: string[] = [];
  for (let line = await reader.read(); line !== null; line = await reader.read())
    lines.push(line.toString("utf8"));
  return lines;
}

describe("FrameReader", () => {
  const frames = [
    '{"id":1,"method":"hello"}',
    '{"id":2,"method":"tasks.list","params":{"s":"é 中 😀"}}',
    "{}",
  ];
  const bytes = Buffer.from(frames.map((f) => `${f}\n`).join(""), "utf8");

  it("yields the same frames however the bytes are split, at every boundary", async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const stream = new PassThrough();
      const reader = new FrameReader(stream);
      const done = readAll(reader);
      stream.write(bytes.subarray(0, cut));
      stream.end(bytes.subarray(cut));
      expect(await done).toEqual(frames);
    }
  });

  it("yields the same frames when every byte arrives alone", async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream);
    const done = readAll(reader);
    for (const byte of bytes) stream.write(Buffer.from([byte]));
    stream.end();
    expect(await done).toEqual(frames);
  });

  it("hands back the bytes after the last complete line", async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream);
    stream.write('{"method":"tunnel.open"}\nSSH-2.0-banner');
    expect((await reader.read())?.toString()).toBe('{"method":"tunnel.open"}');
    expect(reader.takeBuffered().toString()).toBe("SSH-2.0-banner");
  });

  it("drops an unterminated tail at end of stream, as the reference does", async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream);
    stream.end('{"a":1}\n{"b":');
    expect(await readAll(reader)).toEqual(['{"a":1}']);
  });

  it("rejects a line over the limit, whether or not its newline has arrived", async () => {
    const withNewline = new PassThrough();
    const a = new FrameReader(withNewline, { maxFrameBytes: 16 });
    withNewline.write(`${"x".repeat(17)}\n`);
    await expect(a.read()).rejects.toBeInstanceOf(FrameTooLargeError);

    const without = new PassThrough();
    const b = new FrameReader(without, { maxFrameBytes: 16 });
    const pending = b.read();
    without.write("x".repeat(10));
    without.write("x".repeat(10));
    await expect(pending).rejects.toThrow(/16-byte limit/);
  });

  it("accepts a line of exactly the limit", async () => {
    const stream = new PassThrough();
    const reader = new FrameReader(stream, { maxFrameBytes: 16 });
    stream.end(`${"y".repeat(16)}\n`);
    expect(await readAll(reader)).toEqual(["y".repeat(16)]);
  });
});
