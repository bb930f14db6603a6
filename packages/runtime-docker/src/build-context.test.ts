import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildContextFiles } from "./build-context.js";
import { demultiplex } from "./container-logs.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hudkit-context-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function files(paths: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(paths)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

describe("buildContextFiles", () => {
  it("sends everything but node_modules, .git and job records", async () => {
    await files({
      "Dockerfile.hud": "",
      "env.ts": "",
      ".hud/build/env.mjs": "",
      ".hud/jobs/j1/job.json": "",
      "node_modules/x/index.js": "",
      ".git/HEAD": "",
      "assets/a.txt": "",
    });
    expect(await buildContextFiles(dir)).toEqual([
      ".hud/build/env.mjs",
      "Dockerfile.hud",
      "assets/a.txt",
      "env.ts",
    ]);
  });

  it("follows .dockerignore: paths, directories, globs, ** and ! re-includes, last match wins", async () => {
    await files({
      ".dockerignore": "# comment\nsecrets.txt\nlogs/\n*.tmp\n**/*.bak\ndata/*\n!data/keep.csv\n",
      "secrets.txt": "",
      "logs/a.log": "",
      "x.tmp": "",
      "deep/er/y.bak": "",
      "deep/er/y.ts": "",
      "data/drop.csv": "",
      "data/keep.csv": "",
      "env.ts": "",
    });
    expect(await buildContextFiles(dir)).toEqual([
      ".dockerignore",
      "data/keep.csv",
      "deep/er/y.ts",
      "env.ts",
    ]);
  });
});

describe("demultiplex", () => {
  it("joins the payloads of Docker's framed stdout/stderr stream", () => {
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    const framed = Buffer.concat([frame(1, "out line\n"), frame(2, "err line\n")]);
    expect(demultiplex(framed).toString()).toBe("out line\nerr line\n");
  });

  it("returns a TTY container's plain output as it is", () => {
    expect(demultiplex(Buffer.from("plain text output\n")).toString()).toBe("plain text output\n");
  });
});
