import { describe, expect, it } from "vitest";
import { mapImage, parseImageMap, rewriteDockerfile } from "./dockerfile-rewrite.js";

describe("rewriteDockerfile", () => {
  const map = { "ubuntu:24.04": "base:local", python: "py:local" };

  it("retargets FROM images, keeping flags and stage names", () => {
    expect(
      rewriteDockerfile(
        "FROM --platform=linux/amd64 ubuntu:24.04 AS build\nFROM python:latest\nFROM other:1",
        map,
      ),
    ).toBe("FROM --platform=linux/amd64 base:local AS build\nFROM py:local\nFROM other:1");
  });

  it("rewrites COPY --chmod into COPY plus RUN chmod", () => {
    expect(rewriteDockerfile("COPY --chmod=0755 --chown=a:b run.sh /bin/run", {})).toBe(
      "COPY --chown=a:b run.sh /bin/run\nRUN chmod -R 0755 '/bin/run'",
    );
    expect(rewriteDockerfile("ADD --chmod=644 a.txt b/ /data/", {})).toBe(
      "ADD a.txt b/ /data/\nRUN chmod -R 644 '/data/a.txt' '/data/b'",
    );
  });

  it("refuses what only BuildKit can build, naming the line", () => {
    expect(() => rewriteDockerfile("FROM x\nRUN --mount=type=cache,target=/c make", {})).toThrow(
      /line 2: RUN --mount/,
    );
    expect(() => rewriteDockerfile("FROM x\nRUN <<EOF\necho\nEOF", {})).toThrow(/line 2: heredocs/);
    expect(() => rewriteDockerfile("COPY --chmod=u+x a /a", {})).toThrow(/needs BuildKit/);
  });
});

describe("image maps", () => {
  it("parses from=to pairs and rejects malformed ones", () => {
    expect(parseImageMap(["ubuntu:24.04=base:local", "a = b"])).toEqual({
      "ubuntu:24.04": "base:local",
      a: "b",
    });
    expect(() => parseImageMap(["ubuntu"])).toThrow(/expected <image>=<local image>/);
    expect(() => parseImageMap(["=x"])).toThrow(/--image-map/);
  });

  it("treats name and name:latest as one image", () => {
    expect(mapImage("python", { "python:latest": "p" })).toBe("p");
    expect(mapImage("python:latest", { python: "p" })).toBe("p");
    expect(mapImage("registry:5000/python", { "registry:5000/python:latest": "p" })).toBe("p");
    expect(mapImage("python:3.12", { python: "p" })).toBe("python:3.12");
  });
});
