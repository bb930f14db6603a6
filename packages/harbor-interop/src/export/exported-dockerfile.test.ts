import { describe, expect, it } from "vitest";
import { dockerfileBase, exportedDockerfile } from "./exported-dockerfile.js";

describe("dockerfileBase", () => {
  it("keeps the FROM and drops the project's steps", () => {
    const text =
      '# comment\nFROM node:24-bookworm-slim\nWORKDIR /env\nCOPY .hud/build/env.mjs ./env.mjs\nCMD ["node"]\n';
    expect(dockerfileBase(text, "Dockerfile.hud")).toEqual({
      from: "FROM node:24-bookworm-slim",
      globalArgs: [],
    });
  });

  it("keeps global ARGs, joins continuations and takes the last stage", () => {
    const text = [
      "ARG NODE=24",
      "FROM node:$NODE AS build",
      "RUN make",
      "from --platform=linux/amd64 \\",
      "  # a comment inside",
      "  debian:bookworm-slim",
    ].join("\n");
    expect(dockerfileBase(text, "D")).toEqual({
      from: "from --platform=linux/amd64 debian:bookworm-slim",
      globalArgs: ["ARG NODE=24"],
    });
  });

  it("refuses a last stage built on an earlier one", () => {
    expect(() => dockerfileBase("FROM node:24 AS base\nFROM base\n", "Dockerfile.hud")).toThrow(
      /earlier stage base/,
    );
  });

  it("refuses a Dockerfile with no FROM", () => {
    expect(() => dockerfileBase("RUN true\n", "Dockerfile.hud")).toThrow(/no FROM/);
  });
});

describe("exportedDockerfile", () => {
  it("builds on the legacy builder: no COPY --chmod, heredoc or RUN --mount", () => {
    const text = exportedDockerfile({
      base: { from: "FROM node:24-bookworm-slim", globalArgs: [] },
      answerFile: "/workspace/out/answer.txt",
      source: "Dockerfile.hud",
    });
    expect(text).not.toMatch(/--chmod|<<|--mount/);
    expect(text.split("\n").filter((line) => !line.startsWith("#"))).toEqual([
      "FROM node:24-bookworm-slim",
      "COPY hudkit/ /hudkit/",
      "RUN chmod 755 /hudkit/entrypoint.sh && mkdir -p '/workspace/out'",
      'ENTRYPOINT ["/hudkit/entrypoint.sh"]',
      'CMD ["sh","-c","sleep infinity"]',
      "",
    ]);
  });
});
