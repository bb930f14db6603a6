import { connect as netConnect, type Socket } from "node:net";

/**
 * Opens a TCP connection, with Nagle off (as Python's asyncio does) so one-line frames and
 * interactive tunnel bytes go out at once. Aborting the signal destroys the socket and rejects
 * with the signal's reason; a connect failure rejects with Node's system error
 * (`ECONNREFUSED`, ...).
 *
 * `cancelWith` is a cheaper stand-in for a signal where one caller owns the deadline: it is
 * handed a function that ends the dial (socket destroyed, promise rejected with the reason).
 * An `AbortSignal` and its listener cost more than the rest of a loopback dial.
 *
 * @example
 * ```ts
 * const socket = await dialTcp("127.0.0.1", 8765, { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export function dialTcp(
  host: string,
  port: number,
  options: {
    signal?: AbortSignal;
    allowHalfOpen?: boolean;
    cancelWith?: (cancel: (reason: unknown) => void) => void;
  } = {},
): Promise<Socket> {
  const { signal } = options;
  return new Promise<Socket>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = netConnect({ host, port, allowHalfOpen: options.allowHalfOpen ?? false });
    let settled = false;
    const cleanup = (): void => {
      settled = true;
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
    const cancel = (reason: unknown): void => {
      if (settled) return;
      cleanup();
      socket.destroy();
      reject(reason);
    };
    const onAbort = (): void => cancel(signal?.reason);
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    options.cancelWith?.(cancel);
  });
}
