import { describe, expect, it } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { Capability, capabilityHostPort } from "./capability.js";

/** The hudkit error `action` throws; fails the test when it throws nothing or something else. */
function errorOf(action: () => unknown): HudkitError {
  try {
    action();
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an error");
}

describe("hello bindings", () => {
  it("match the reference's recorded bindings byte for byte, key order included", () => {
    // The `conformance` env of shared/conformance/envs.md, and the `bindings` of its `hello` reply
    // as recorded in shared/conformance/cases/hello_and_list.jsonl (raw text, Python key order).
    const capabilities = [
      Capability.ssh({
        name: "shell",
        url: "127.0.0.1:2222",
        hostPubkey: "ssh-ed25519 AAAA",
        cwd: "/workspace",
        isolation: "none",
      }),
      Capability.cdp({ name: "browser", url: "127.0.0.1" }),
      Capability.rfb({ name: "screen", url: "127.0.0.1", display: 1, password: "pw" }),
      Capability.robot({
        name: "robot",
        url: "127.0.0.1",
        contract: { robot_type: "arm", control_rate: 10, features: {} },
      }),
      new Capability({
        name: "custom",
        protocol: "custom/1",
        url: "tcp://127.0.0.1:7000",
        params: { root: "/workspace", nested: { a: [1, 2] } },
      }),
      Capability.mcp({ name: "tools", url: "ws://127.0.0.1:8041" }),
    ];
    const recorded =
      '[{"name":"shell","protocol":"ssh/2","url":"ssh://127.0.0.1:2222","params":{"user":"agent","host_pubkey":"ssh-ed25519 AAAA","shell":"bash","cwd":"/workspace","isolation":"none"}},' +
      '{"name":"browser","protocol":"cdp/1.3","url":"ws://127.0.0.1:9222","params":{}},' +
      '{"name":"screen","protocol":"rfb/3.8","url":"rfb://127.0.0.1:5901","params":{"display":1,"password":"pw"}},' +
      '{"name":"robot","protocol":"openpi/0","url":"ws://127.0.0.1:9091","params":{"contract":{"robot_type":"arm","control_rate":10,"features":{}}}},' +
      '{"name":"custom","protocol":"custom/1","url":"tcp://127.0.0.1:7000","params":{"root":"/workspace","nested":{"a":[1,2]}}},' +
      '{"name":"tools","protocol":"mcp/2025-11-25","url":"ws://127.0.0.1:8041","params":{"transport":"websocket"}}]';
    expect(JSON.stringify(capabilities.map((c) => c.toManifest()))).toBe(recorded);
  });

  it("gives the mcp binding of the conf-tunnel env", () => {
    // shared/conformance/envs.md, `conf-tunnel`
    expect(
      JSON.stringify(Capability.mcp({ name: "tools", url: "http://127.0.0.1:18951/mcp" }).toManifest()),
    ).toBe(
      '{"name":"tools","protocol":"mcp/2025-11-25","url":"http://127.0.0.1:18951/mcp","params":{"transport":"streamable-http"}}',
    );
  });
});

describe("Capability.ssh", () => {
  it("defaults the scheme, keeps an explicit port and uses bash (checklist 63)", () => {
    const shell = Capability.ssh({ url: "h:2222", hostPubkey: "k" });
    expect(shell.url).toBe("ssh://h:2222");
    expect(shell.name).toBe("shell");
    expect(shell.protocol).toBe("ssh/2");
    expect(shell.params).toEqual({ user: "agent", host_pubkey: "k", shell: "bash" });
  });

  it("writes every param in the reference's order", () => {
    const shell = Capability.ssh({
      name: "sh",
      url: "ssh://h",
      user: "root",
      hostPubkey: "k",
      clientKey: "KEY",
      clientKeyPath: "/keys/id",
      shell: "powershell",
      cwd: "/w",
      isolation: "bwrap",
    });
    expect(Object.keys(shell.params)).toEqual([
      "user",
      "host_pubkey",
      "shell",
      "client_key",
      "client_key_path",
      "cwd",
      "isolation",
    ]);
    expect(shell.toManifest()).toEqual({
      name: "sh",
      protocol: "ssh/2",
      url: "ssh://h:22",
      params: {
        user: "root",
        host_pubkey: "k",
        shell: "powershell",
        client_key: "KEY",
        client_key_path: "/keys/id",
        cwd: "/w",
        isolation: "bwrap",
      },
    });
  });

  // Expected values printed by the reference's normalize_url on CPython 3.11.7.
  it.each([
    ["user@host", "ssh://user@host:22"],
    ["ssh://alice:pw@Host.Example/x", "ssh://alice:pw@host.example:22/x"],
    ["MyHost", "ssh://myhost:22"],
    ["SSH://Host", "ssh://host:22"],
    ["[::1]", "ssh://[::1]:22"],
    ["[::1]:2200", "ssh://[::1]:2200"],
    ["ssh://[FE80::1%Eth0]", "ssh://[fe80::1%Eth0]:22"],
    ["ssh://u@[::1]/p", "ssh://u@[::1]:22/p"],
    ["ssh://a@b@host", "ssh://a@b@host:22"],
    ["host/path?q=1#frag", "ssh://host:22/path?q=1#frag"],
    ["host/p?#", "ssh://host:22/p"],
    ["host?x", "ssh://host:22?x"],
    ["host#f", "ssh://host:22#f"],
    ["h:", "ssh://h:22"],
    ["h:0080", "ssh://h:0080"],
    ["ho\tst", "ssh://host:22"],
  ])("normalises %j to %j like the reference", (url, expected) => {
    expect(Capability.ssh({ url, hostPubkey: "k" }).url).toBe(expected);
  });

  it.each([
    ["::1", "invalid URL (no host): '::1'"],
    ["ssh://", "invalid URL (no host): 'ssh://'"],
    ["ssh://:22", "invalid URL (no host): 'ssh://:22'"],
    ["://host", "invalid URL (no scheme): '://host'"],
    ["1a://h", "invalid URL (no scheme): '1a://h'"],
    ["h:abc", "Port could not be cast to integer value as 'abc'"],
    ["h:\u00b2", "Port could not be cast to integer value as '\u00b2'"],
    ["h:99999", "Port out of range 0-65535"],
    ["[1.2.3.4]", "An IPv4 address cannot be in brackets"],
    ["[zz]", "'zz' does not appear to be an IPv4 or IPv6 address"],
    ["[::1", "Invalid IPv6 URL"],
  ])("rejects %j with the reference's message", (url, message) => {
    const error = errorOf(() => Capability.ssh({ url, hostPubkey: "k" }));
    expect(error.code).toBe("invalid-url");
    expect(error.message).toBe(message);
  });
});

describe("Capability.mcp", () => {
  it.each([
    ["http://tools.example/mcp", "http://tools.example:80/mcp", "streamable-http"],
    ["https://tools.example/mcp", "https://tools.example:443/mcp", "streamable-http"],
    ["ws://h", "ws://h:80", "websocket"],
    ["wss://user:pw@h/p", "wss://user:pw@h:443/p", "websocket"],
    ["wss://user:pw@h:9/p", "wss://user:pw@h:9/p", "websocket"],
    ["127.0.0.1:8041", "ws://127.0.0.1:8041", "websocket"],
    ["tools.example", "ws://tools.example:80", "websocket"],
    ["HTTP://X/mcp", "http://x:80/mcp", "streamable-http"],
    ["http://h?q", "http://h:80?q", "streamable-http"],
  ])("normalises %j to %j with transport %s (checklist 62)", (url, expected, transport) => {
    const tools = Capability.mcp({ url });
    expect(tools.url).toBe(expected);
    expect(tools.params).toEqual({ transport });
    expect(tools.name).toBe("tools");
    expect(tools.protocol).toBe("mcp/2025-11-25");
  });

  it("adds auth_token after transport when set", () => {
    const tools = Capability.mcp({ url: "https://h/mcp", authToken: "tok", transport: "sse" });
    expect(JSON.stringify(tools.params)).toBe('{"transport":"sse","auth_token":"tok"}');
  });

  it.each([
    ["stdio:x", "got 'stdio'"],
    ["ftp://h", "got 'ftp'"],
    // The reference reads `localhost:8040` as scheme "localhost" (checklist 64).
    ["localhost:8040", "got 'localhost'"],
  ])("rejects %j", (url, ending) => {
    const error = errorOf(() => Capability.mcp({ url }));
    expect(error.code).toBe("invalid-capability");
    expect(error.message).toBe(`mcp/2025-11-25: only ws/wss/http/https URLs are supported, ${ending}`);
  });

  it.each([
    ["http://h/mcp", "websocket", "mcp websocket transport requires a ws:// or wss:// URL"],
    ["ws://h", "sse", "mcp sse transport requires an http:// or https:// URL"],
    ["ws://h", "streamable-http", "mcp streamable-http transport requires an http:// or https:// URL"],
  ] as const)("rejects %j with transport %s", (url, transport, message) => {
    expect(errorOf(() => Capability.mcp({ url, transport })).message).toBe(message);
  });

  it("rejects a transport it does not know", () => {
    const transport = "stdio" as unknown as "sse";
    expect(errorOf(() => Capability.mcp({ url: "http://h", transport })).message).toMatch(
      /unknown mcp transport 'stdio'/,
    );
  });
});

describe("Capability.cdp, rfb and robot", () => {
  it("gives cdp the ws scheme and port 9222 (checklist 63)", () => {
    const browser = Capability.cdp({ url: "127.0.0.1" });
    expect(browser.toManifest()).toEqual({
      name: "browser",
      protocol: "cdp/1.3",
      url: "ws://127.0.0.1:9222",
      params: {},
    });
    expect(Capability.cdp({ url: "h", targetId: "T1" }).params).toEqual({ target_id: "T1" });
  });

  it("gives rfb port 5900 + display and params {display} (checklist 63)", () => {
    const screen = Capability.rfb({ url: "127.0.0.1", display: 1 });
    expect(screen.url).toBe("rfb://127.0.0.1:5901");
    expect(screen.params).toEqual({ display: 1 });
    expect(Capability.rfb({ url: "h" }).url).toBe("rfb://h:5900");
    expect(Capability.rfb({ url: "rfb://h:6000", display: 3 }).url).toBe("rfb://h:6000");
  });

  it("rejects an rfb display that is not a whole number", () => {
    expect(errorOf(() => Capability.rfb({ url: "h", display: 1.5 })).code).toBe("invalid-capability");
    expect(errorOf(() => Capability.rfb({ url: "h", display: -1 })).code).toBe("invalid-capability");
  });

  it("gives robot the ws scheme and port 9091 and passes the contract through", () => {
    const contract = { robot_type: "arm", control_rate: 10, features: { x: { role: "action", shape: [2] } } };
    const robot = Capability.robot({ url: "sim", contract });
    expect(robot.url).toBe("ws://sim:9091");
    expect(robot.params).toEqual({ contract });
  });
});

describe("custom capabilities", () => {
  it("keeps the url exactly as given", () => {
    const custom = new Capability({ name: "x", protocol: "custom/1", url: "Weird://Host" });
    expect(custom.url).toBe("Weird://Host");
    expect(custom.params).toEqual({});
  });

  it("is immutable, and so are its params, even nested", () => {
    const params = { nested: { a: [1, 2] } };
    const custom = new Capability({ name: "x", protocol: "custom/1", url: "tcp://h:1", params });
    expect(Object.isFrozen(custom)).toBe(true);
    expect(() => {
      (custom.params.nested as { a: number[] }).a.push(3);
    }).toThrow(TypeError);
    // The caller's own object is copied, not frozen.
    params.nested.a.push(3);
    expect(custom.params).toEqual({ nested: { a: [1, 2] } });
  });

  it("hands out manifests the caller may change", () => {
    const custom = new Capability({
      name: "x",
      protocol: "custom/1",
      url: "tcp://h:1",
      params: { a: { b: 1 } },
    });
    const manifest = custom.toManifest();
    (manifest.params.a as { b: number }).b = 2;
    expect(custom.params).toEqual({ a: { b: 1 } });
  });
});

describe("Capability.fromManifest", () => {
  it("fills an mcp transport from the scheme (checklist 65)", () => {
    const read = (url: string) =>
      Capability.fromManifest({ name: "t", protocol: "mcp/2025-11-25", url }).params;
    expect(read("ws://h:1")).toEqual({ transport: "websocket" });
    expect(read("WSS://h:1")).toEqual({ transport: "websocket" });
    expect(read("http://h:1/mcp")).toEqual({ transport: "streamable-http" });
    expect(read("h:1")).toEqual({ transport: "streamable-http" });
  });

  it("keeps an mcp transport that is there, and the url as sent", () => {
    const tools = Capability.fromManifest({
      name: "t",
      protocol: "mcp/2025-11-25",
      url: "http://host/mcp",
      params: { transport: "sse", auth_token: "token" },
    });
    expect(tools.toManifest()).toEqual({
      name: "t",
      protocol: "mcp/2025-11-25",
      url: "http://host/mcp",
      params: { transport: "sse", auth_token: "token" },
    });
  });

  it("reads params null as {} (checklist 65)", () => {
    expect(
      Capability.fromManifest({ name: "b", protocol: "cdp/1.3", url: "ws://h:1", params: null }).params,
    ).toEqual({});
  });

  it.each([
    Capability.ssh({ url: "h", hostPubkey: "k", cwd: "/w" }),
    Capability.mcp({ url: "https://h/mcp", authToken: "t" }),
    Capability.cdp({ url: "h", targetId: "T" }),
    Capability.rfb({ url: "h", password: "pw" }),
    Capability.robot({ url: "h", contract: { robot_type: "arm", features: {} } }),
    new Capability({ name: "c", protocol: "custom/1", url: "tcp://h:1", params: { a: [1] } }),
  ])("round-trips the $protocol binding", (capability) => {
    expect(Capability.fromManifest(capability.toManifest())).toEqual(capability);
  });

  it("names the field that is missing or wrong", () => {
    const missing = errorOf(() =>
      Capability.fromManifest({ protocol: "mcp/2025-11-25", url: "http://h/mcp" }),
    );
    expect(missing.code).toBe("invalid-capability");
    expect(missing.message).toMatch(/^invalid capability binding: name: /);
    expect(
      errorOf(() => Capability.fromManifest({ name: "t", protocol: "x/1", url: "u", params: [] })).message,
    ).toMatch(/params: /);
  });
});

describe("capabilityHostPort", () => {
  // The reference's urlsplit(url).hostname and .port, from CPython 3.11.7.
  it.each([
    ["http://127.0.0.1:8040/mcp", { host: "127.0.0.1", port: 8040 }],
    ["ssh://[::1]:22", { host: "::1", port: 22 }],
    ["tcp://Host:0", { host: "host", port: 0 }],
    ["ws://[fe80::1%Eth0]:9", { host: "fe80::1%Eth0", port: 9 }],
    ["ws://u@H:1/p", { host: "h", port: 1 }],
  ])("reads %j", (url, expected) => {
    expect(capabilityHostPort(url)).toEqual(expected);
  });

  it.each([
    ["tcp://127.0.0.1", "no port"],
    ["127.0.0.1:8041", "no // so no host"],
    ["tcp://h:x", "a port that is not a number"],
    ["tcp://[::1", "an unclosed bracket"],
  ])("gives undefined for %j (%s)", (url) => {
    expect(capabilityHostPort(url)).toBeUndefined();
  });
});
