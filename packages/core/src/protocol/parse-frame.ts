import { isPlainObject } from "./python-values.js";
import { RpcCode } from "./rpc-error.js";

/** A parsed request: `hasId` is false for notifications (no `id`, or `id: null`). */
export interface RequestFrame {
  readonly frame: Record<string, unknown>;
  readonly id: unknown;
  readonly hasId: boolean;
  readonly method: unknown;
  readonly params: unknown;
}

export type ParsedFrame = { ok: true; request: RequestFrame } | { ok: false; code: number; message: string };

const BOM = "\uFEFF";

/**
 * Parses one frame leniently, as the reference does: `jsonrpc` is not checked, surrounding
 * whitespace and one leading UTF-8 BOM are accepted, duplicate keys keep the last value.
 * Unlike the reference, a frame that is not JSON (or not an object) is an error to reply to,
 * not a reason to drop the connection.
 */
export function parseFrame(raw: Buffer | string): ParsedFrame {
  let text = typeof raw === "string" ? raw : raw.toString("utf8");
  if (text.startsWith(BOM)) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: RpcCode.parseError, message: `parse error: ${(error as Error).message}` };
  }
  if (!isPlainObject(value)) {
    return {
      ok: false,
      code: RpcCode.invalidRequest,
      message: "invalid request: a frame must be a JSON object",
    };
  }
  const id = value.id;
  return {
    ok: true,
    request: {
      frame: value,
      id,
      hasId: id !== undefined && id !== null,
      method: value.method,
      params: value.params,
    },
  };
}
