import { describe, expect, it } from "vitest";
import { allowedHostProblem, normaliseAllowedHost } from "./allowed-hosts.js";

describe("allowed_hosts entries", () => {
  it("are lower-cased with trailing dots removed", () => {
    expect(normaliseAllowedHost("PyPI.ORG.")).toBe("pypi.org");
    expect(normaliseAllowedHost("*.Example.com")).toBe("*.example.com");
  });

  it.each([
    "pypi.org",
    "*.example.com",
    "localhost",
    "10.0.0.1",
    "10.0.0.0/8",
    "2001:db8::1",
    "2001:db8::/32",
  ])("accept %s", (entry) => {
    expect(allowedHostProblem(entry)).toBeUndefined();
  });

  it.each([
    ["", "an empty entry"],
    ["https://pypi.org", "a URL, not a host"],
    ["pypi.org:443", "a host with a port; ports are not part of an allowlist entry"],
    ["pypi.org/simple", "a path or URL, not a host"],
    ["[::1]", "a bracketed address; write the IPv6 literal without brackets"],
    ["10.0.0.0/33", "a CIDR prefix over /32"],
    ["exa mple.com", "not a hostname, wildcard hostname, IP address or CIDR"],
  ])("refuse %j", (entry, problem) => {
    expect(allowedHostProblem(entry)).toBe(problem);
  });
});
