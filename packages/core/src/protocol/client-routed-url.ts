/**
 * The address a controller-side consumer should use for a binding: the same URL with its host
 * and port replaced by the loopback forwarder, exactly as the reference builds it with
 * `urlsplit`/`urlunsplit` (spec §4.3). Scheme, path, query, fragment and username are kept;
 * **the password is dropped** (the reference does this; TLS and virtual hosts break through the
 * forwarder anyway, spec §6.10). URLs are handled as text, not through WHATWG `URL`, which
 * would add a `/` path, drop default ports and re-encode characters.
 *
 * @example
 * ```ts
 * routedUrl("wss://user:pw@tools.example:443/mcp", 44343); // "wss://user@127.0.0.1:44343/mcp"
 * routedUrl("ssh://agent@10.0.0.5:2222", 33001);           // "ssh://agent@127.0.0.1:33001"
 * ```
 */
export function routedUrl(url: string, localPort: number, localHost = "127.0.0.1"): string {
  const parts = splitUrl(url);
  const netloc = `${parts.username === "" ? "" : `${parts.username}@`}${localHost}:${localPort}`;
  let path = parts.path;
  // urlunsplit: with a netloc, a non-empty path must start with '/'.
  if (path !== "" && !path.startsWith("/")) path = `/${path}`;
  let text = `${parts.scheme === "" ? "" : `${parts.scheme}:`}//${netloc}${path}`;
  if (parts.query !== "") text += `?${parts.query}`;
  if (parts.fragment !== "") text += `#${parts.fragment}`;
  return text;
}

interface SplitUrl {
  scheme: string;
  username: string;
  path: string;
  query: string;
  fragment: string;
}

/** Python `urlsplit`, reduced to the parts `routedUrl` needs. */
function splitUrl(url: string): SplitUrl {
  let rest = url;
  let scheme = "";
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end === -1 ? "" : rest.slice(end + 2);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash !== -1) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = "";
  const question = rest.indexOf("?");
  if (question !== -1) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  const at = netloc.lastIndexOf("@");
  const userinfo = at === -1 ? "" : netloc.slice(0, at);
  const colon = userinfo.indexOf(":");
  const username = colon === -1 ? userinfo : userinfo.slice(0, colon);
  return { scheme, username, path: rest, query, fragment };
}
