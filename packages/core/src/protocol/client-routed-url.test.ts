import { describe, expect, it } from "vitest";
import { findBinding } from "./client-binding-ref.js";
import { parseControlUrl, tunnelWebSocketUrl } from "./client-endpoint.js";
import { routedUrl } from "./client-routed-url.js";

describe("routedUrl (spec §4.3)", () => {
  it.each([
    ["wss://user:pw@tools.example:443/mcp", 44343, "wss://user@127.0.0.1:44343/mcp"],
    ["ssh://agent@10.0.0.5:2222", 33001, "ssh://agent@127.0.0.1:33001"],
    ["tcp://[::1]:7000", 40000, "tcp://127.0.0.1:40000"],
    ["http://127.0.0.1:8040/mcp", 40001, "http://127.0.0.1:40001/mcp"],
    [
      "ws://h:9222/devtools/page/ABC?x=1&y=2#frag",
      40002,
      "ws://127.0.0.1:40002/devtools/page/ABC?x=1&y=2#frag",
    ],
    ["rfb://:secret@h:5901", 40003, "rfb://127.0.0.1:40003"],
    ["HTTP://h:80", 40004, "http://127.0.0.1:40004"],
    ["custom://h:1/a%20b?", 40005, "custom://127.0.0.1:40005/a%20b"],
  ])("%s -> %s", (url, port, expected) => {
    expect(routedUrl(url, port)).toBe(expected);
  });
});

describe("findBinding", () => {
  const bindings = [
    { name: "shell", protocol: "ssh/2", url: "ssh://h:22", params: {} },
    { name: "tools", protocol: "mcp/2025-11-25", url: "http://h:80/mcp", params: {} },
    { name: "wsmcp", protocol: "mcp/2025-11-25", url: "ws://h:80/mcp", params: {} },
  ];

  it("matches a name, a full protocol, or a family", () => {
    expect(findBinding(bindings, "shell").name).toBe("shell");
    expect(findBinding(bindings, "ssh/2").name).toBe("shell");
    expect(findBinding(bindings, "ssh").name).toBe("shell");
    expect(findBinding(bindings, "wsmcp").name).toBe("wsmcp");
  });

  it("uses the reference's error texts", () => {
    expect(() => findBinding(bindings, "mcp/2025-11-25")).toThrow(
      "ambiguous capability 'mcp/2025-11-25'; matches: tools (mcp/2025-11-25), wsmcp (mcp/2025-11-25)",
    );
    expect(() => findBinding(bindings, "it's")).toThrow(`no capability "it's" (available: shell (ssh/2), `);
    expect(() => findBinding([], "x")).toThrow("no capability 'x' (available: <none>)");
  });
});

describe("control endpoints", () => {
  it("parses tcp, ws and wss URLs", () => {
    expect(parseControlUrl("tcp://127.0.0.1:8765")).toEqual({
      url: "tcp://127.0.0.1:8765",
      transport: "tcp",
      host: "127.0.0.1",
      port: 8765,
    });
    expect(parseControlUrl("tcp://[::1]:8765")).toMatchObject({ host: "::1", port: 8765 });
    expect(parseControlUrl("ws://h")).toMatchObject({ transport: "ws", host: "h", port: 80 });
    expect(parseControlUrl("wss://h/env?k=v")).toMatchObject({ port: 443, webSocketUrl: "wss://h/env?k=v" });
  });

  it("puts tunnels under the control URL's path, query kept", () => {
    expect(tunnelWebSocketUrl(parseControlUrl("ws://127.0.0.1:9000"), "shell")).toBe(
      "ws://127.0.0.1:9000/tunnel/shell",
    );
    expect(tunnelWebSocketUrl(parseControlUrl("wss://gw.example/sbx/42/?k=v#f"), "my tools")).toBe(
      "wss://gw.example/sbx/42/tunnel/my%20tools?k=v",
    );
  });
});
