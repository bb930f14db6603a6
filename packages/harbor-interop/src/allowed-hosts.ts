import { isIP } from "node:net";

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const HOSTNAME = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/**
 * An `allowed_hosts` entry as Harbor compares it: lower-cased, trailing dots removed
 * (`Example.COM.` and `example.com` are one host).
 *
 * @example
 * ```ts
 * normaliseAllowedHost("API.Example.com."); // "api.example.com"
 * ```
 */
export function normaliseAllowedHost(entry: string): string {
  return entry.trim().toLowerCase().replace(/\.+$/, "");
}

function cidrProblem(entry: string): string | undefined {
  const slash = entry.lastIndexOf("/");
  const address = entry.slice(0, slash);
  const prefix = entry.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return "a path or URL, not a host";
  return Number(prefix) <= (family === 4 ? 32 : 128)
    ? undefined
    : `a CIDR prefix over /${family === 4 ? 32 : 128}`;
}

/**
 * Why a normalised `allowed_hosts` entry is not acceptable, or undefined when it is. Accepted:
 * hostnames, `*.`-wildcard hostnames, IPv4/IPv6 literals and CIDRs. Refused, as in Harbor: URLs,
 * ports, paths, `[v6]` brackets and empty entries.
 *
 * @example
 * ```ts
 * allowedHostProblem("*.pypi.org"); // undefined
 * allowedHostProblem("https://pypi.org"); // "a URL, not a host"
 * ```
 */
export function allowedHostProblem(entry: string): string | undefined {
  if (entry === "") return "an empty entry";
  if (entry.includes("://")) return "a URL, not a host";
  if (entry.startsWith("[")) return "a bracketed address; write the IPv6 literal without brackets";
  if (entry.includes("/")) return cidrProblem(entry);
  if (isIP(entry) !== 0) return undefined;
  // A colon that is not part of an IPv6 literal can only be a port.
  if (entry.includes(":")) return "a host with a port; ports are not part of an allowlist entry";
  return HOSTNAME.test(entry) ? undefined : "not a hostname, wildcard hostname, IP address or CIDR";
}
