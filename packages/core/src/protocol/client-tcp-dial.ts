import { connect as netConnect, type Socket } from "node:net";

/**
 * Opens a TCP connection, with Nagle off (as Python's asyncio does) so one-line frames and
 * interactive tunnel bytes go out at once. Aborting the signal destroys the socket and rejects
 * with the signal's reason; a connect failure rejects with Node's system error
 * (`ECONNREFUSED`, ...).
 *
 * @example
 * ```ts
 * const socket = await dialTcp("127.0.0.1", 8765, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export function dialTcp(
  host: string,
  port: number,
  options: { signal?: AbortSignal; allowHalfOpen?: boolean } = {},
): Promise<Socket> {
  const { signal } = options;
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = netConnect({ host, port, allowHalfOpen: options.allowHalfOpen ?? false });
    const cleanup = (): void => {
      socket.off("connect", onConnect);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const onConnect = (): void => {
      cleanup();
      socket.setNoDelay(true);
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(signal?.reason);
    };
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
