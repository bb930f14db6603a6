import { connect, type Socket } from "node:net";
import type { Capability } from "../environment/capability.js";
import { capabilityHostPort } from "../environment/capability.js";
import type { ServerState } from "./control-session.js";
import { tokenMatches } from "./control-session.js";
import { pyRepr } from "./python-repr.js";
import { readParams } from "./python-values.js";
import { RpcCode, RpcError } from "./rpc-error.js";

/** A refused `tunnel.open`: the JSON-RPC error, plus the HTTP status a WebSocket upgrade gets. */
export class TunnelRefusal extends RpcError {
  constructor(
    rpcCode: number,
    rpcMessage: string,
    readonly httpStatus: number,
  ) {
    super(rpcCode, rpcMessage);
  }
}

/**
 * Resolves a `tunnel.open` request to a capability and dials its backend (spec §1.8). Throws an
 * {@link RpcError} with the reference's code and text for every refusal.
 */
export async function openTunnelBackend(
  state: ServerState,
  rawParams: unknown,
  options: { authenticated: boolean },
): Promise<{ capability: Capability; backend: Socket }> {
  const params = readParams(rawParams);
  const name = params.capability;
  if (!options.authenticated && !tokenMatches(params.auth, state.controlToken)) {
    throw new TunnelRefusal(
      RpcCode.unauthorized,
      params.auth === undefined
        ? "unauthorized: tunnel.open needs params.auth (the control token)"
        : "unauthorized: wrong token",
      401,
    );
  }
  if (typeof name !== "string") {
    throw new TunnelRefusal(RpcCode.invalidParams, "tunnel.open: 'capability' must be a string", 400);
  }
  const capability = state.env.capabilities.find((c) => c.name === name);
  // The reference's text is Python str(KeyError), the repr of the whole message.
  if (!capability)
    throw new TunnelRefusal(RpcCode.serverError, pyRepr(`unknown capability: ${pyRepr(name)}`), 404);
  const address = capabilityHostPort(capability.url);
  if (!address) {
    throw new TunnelRefusal(
      RpcCode.invalidParams,
      `capability ${pyRepr(name)} has no host:port to tunnel to`,
      404,
    );
  }
  const backend = await dial(address.host, address.port);
  return { capability, backend };
}

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
    socket.once("connect", () => {
      socket.off("error", onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException) => {
      socket.destroy();
      const text =
        error.code === "ECONNREFUSED"
          ? `[Errno 111] Connect call failed (${pyRepr(host)}, ${port})`
          : `cannot reach ${host}:${port}: ${error.message}`;
      reject(new TunnelRefusal(RpcCode.serverError, text, 502));
    };
    socket.once("error", onError);
  });
}
