import type WebSocket from "ws";
import { HudkitError } from "../errors/hudkit-error.js";

/**
 * The server answered a WebSocket upgrade with a plain HTTP response. `status` says why:
 * 401/403 is a token problem (code `unauthorized`), 502/503/504 usually a gateway whose env is
 * not up yet, anything else (code `ws-upgrade-refused`) a wrong URL or path.
 *
 * @example
 * ```ts
 * try { await connect("wss://gw.example/env") } catch (e) {
 *   if (e instanceof WebSocketUpgradeError && e.status === 401) console.error("check the token");
 * }
 * ```
 */
export class WebSocketUpgradeError extends HudkitError {
  readonly status: number;
  /** `HTTP <status> <reason phrase>`; hudkit servers put the refusal's cause in the phrase. */
  readonly reason: string;

  constructor(url: string, status: number, statusText: string) {
    const reason = statusText === "" ? `HTTP ${status}` : `HTTP ${status} ${statusText}`;
    super(
      status === 401 || status === 403 ? "unauthorized" : "ws-upgrade-refused",
      `WebSocket upgrade to ${url} refused: ${reason}`,
    );
    this.name = "WebSocketUpgradeError";
    this.status = status;
    this.reason = reason;
  }
}

/**
 * Opens a WebSocket and resolves once the upgrade succeeded, **paused**: attach the
 * 'message' listener, then call `ws.resume()`. Rejects with
 * {@link WebSocketUpgradeError} when the server answers with an HTTP status instead, with the
 * network error (`ECONNREFUSED`, ...) when it cannot be reached, and with the signal's reason
 * when aborted. Compression is off: tunnels carry already-encrypted or binary bytes, and
 * control frames are small.
 *
 * @example
 * ```ts
 * const ws = await dialWebSocket("ws://127.0.0.1:8765/", { headers: { "x-gateway": "k" } });
 * ```
 */
export async function dialWebSocket(
  url: string,
  options: {
    headers?: Record<string, string>;
    signal?: AbortSignal;
    maxPayload?: number | undefined;
    /** PEM certificate(s) to trust besides the system's (a private CA in front of the env). */
    ca?: string | undefined;
  } = {},
): Promise<WebSocket> {
  const { signal } = options;
  signal?.throwIfAborted();
  // Loaded on first use: most processes that load core (an env child above all) never dial a
  // WebSocket, and ws with the http, https and zlib it pulls in costs every start milliseconds.
  const [{ default: WebSocketClient }, tls] = await Promise.all([
    import("ws"),
    options.ca === undefined ? undefined : import("node:tls"),
  ]);
  return new Promise<WebSocket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const ws = new WebSocketClient(url, {
      headers: options.headers ?? {},
      perMessageDeflate: false,
      // Added to the system roots rather than replacing them, as NODE_EXTRA_CA_CERTS does.
      ...(options.ca === undefined || tls === undefined ? {} : { ca: [...tls.rootCertificates, options.ca] }),
      ...(options.maxPayload === undefined ? {} : { maxPayload: options.maxPayload }),
    });
    ws.binaryType = "nodebuffer";
    let refusal: WebSocketUpgradeError | undefined;
    // Stays attached for the socket's whole life: `terminate()` during the handshake emits a
    // late 'error' after we have already rejected, and an unhandled 'error' would crash.
    ws.on("error", () => {});
    const cleanup = (): void => {
      ws.off("open", onOpen);
      ws.off("error", onError);
      ws.off("unexpected-response", onUnexpectedResponse);
      signal?.removeEventListener("abort", onAbort);
    };
    const onOpen = (): void => {
      cleanup();
      // Paused until the new owner has its 'message' listener: a backend may send the moment
      // the upgrade completes, and those messages would otherwise be emitted to nobody.
      ws.pause();
      resolve(ws);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(refusal ?? error);
    };
    const onUnexpectedResponse = (
      _request: unknown,
      response: { statusCode?: number; statusMessage?: string; resume(): void },
    ): void => {
      refusal = new WebSocketUpgradeError(url, response.statusCode ?? 0, response.statusMessage ?? "");
      response.resume();
      // Handling 'unexpected-response' makes cleanup ours; terminating emits 'error' next.
      ws.terminate();
    };
    const onAbort = (): void => {
      cleanup();
      ws.terminate();
      reject(signal?.reason);
    };
    ws.once("open", onOpen);
    ws.once("error", onError);
    ws.once("unexpected-response", onUnexpectedResponse);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
