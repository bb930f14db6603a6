import { HudkitError } from "../errors/hudkit-error.js";

/** JSON-RPC error codes used on the wire (spec §1.6, plus hudkit's -32700 and -32001). */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  serverError: -32000,
  /** hudkit superset: missing or wrong `HUD_CONTROL_TOKEN`. */
  unauthorized: -32001,
} as const;

/**
 * An error frame received from (or to be sent to) a peer: `{"code", "message"}`.
 * Its text reads like the reference client's: `hud rpc error <code>: <message>`.
 */
export class RpcError extends HudkitError {
  readonly rpcCode: number;
  readonly rpcMessage: string;

  constructor(rpcCode: number, rpcMessage: string) {
    super("rpc-error", `hud rpc error ${rpcCode}: ${rpcMessage}`);
    this.name = "RpcError";
    this.rpcCode = rpcCode;
    this.rpcMessage = rpcMessage;
  }
}
