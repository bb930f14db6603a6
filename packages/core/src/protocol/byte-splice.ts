import type { Socket } from "node:net";

/**
 * Pipes two sockets into each other until both directions are done. An EOF on one side is
 * passed on as a half-close (the other direction keeps flowing); an error on either side
 * destroys both, so a reset never leaves a dead tunnel open (the reference's splice does).
 * Both sockets need `allowHalfOpen: true`.
 */
export function spliceSockets(a: Socket, b: Socket): Promise<void> {
  return new Promise((resolve) => {
    let closed = 0;
    const onClose = () => {
      closed += 1;
      if (closed === 2) resolve();
    };
    const fail = () => {
      a.destroy();
      b.destroy();
    };
    pump(a, b);
    pump(b, a);
    a.once("close", onClose);
    b.once("close", onClose);
    a.on("error", fail);
    b.on("error", fail);
    // Once one side is fully closed, nothing more can flow either way.
    a.once("close", () => b.destroyed || b.end());
    b.once("close", () => a.destroyed || a.end());
  });
}

function pump(from: Socket, to: Socket): void {
  from.on("data", (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on("drain", () => from.resume());
  from.once("end", () => {
    if (!to.destroyed) to.end();
  });
}
