import { describe, expect, it } from "vitest";
import { ECHO_TASK, testContext } from "./runtime-test-support.js";
import { urlRuntime } from "./url-runtime.js";

describe("urlRuntime", () => {
  it("hands every rollout the same endpoint, headers and token, and disposes nothing", async () => {
    const runtime = urlRuntime("wss://envs.example/letters", { headers: { "x-key": "k" }, token: "t" });
    expect(runtime.specificationVersion).toBe("runtime-v1");
    await using a = await runtime.acquire(ECHO_TASK, testContext());
    await using b = await runtime.acquire(ECHO_TASK, testContext());
    expect(a.endpoint).toEqual({ url: "wss://envs.example/letters", headers: { "x-key": "k" }, token: "t" });
    expect(b.endpoint).toBe(a.endpoint);
  });

  it("rejects a URL it cannot dial and unknown options, at construction", () => {
    expect(() => urlRuntime("127.0.0.1:8765")).toThrow(/unsupported control URL|needs a host/);
    expect(() => urlRuntime("tcp://127.0.0.1:1", { tokn: "x" } as never)).toThrow(/^urlRuntime options: /);
  });

  it("honours an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      urlRuntime("tcp://127.0.0.1:1").acquire(ECHO_TASK, testContext(controller.signal)),
    ).rejects.toThrow("stop");
  });
});
