import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { engineAddress, isUnreachable, publishHost } from "./docker-engine.js";

describe("where the engine is, and where it publishes ports", () => {
  it("uses loopback for a unix socket engine and names the socket in errors", () => {
    const docker = new Docker({ socketPath: "/run/user/1000/docker.sock" });
    expect(engineAddress(docker)).toBe("/run/user/1000/docker.sock");
    expect(publishHost(docker)).toBe("127.0.0.1");
  });

  it("publishes on the host of a tcp:// engine, where this machine reaches the containers", () => {
    const docker = new Docker({ host: "10.1.2.3", port: 2375, protocol: "http" });
    expect(engineAddress(docker)).toBe("http://10.1.2.3:2375");
    expect(publishHost(docker)).toBe("10.1.2.3");
  });

  it("tells a socket with nothing behind it from other failures", () => {
    expect(isUnreachable(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isUnreachable(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(true);
    expect(isUnreachable(Object.assign(new Error("no such image"), { statusCode: 404 }))).toBe(false);
  });
});
