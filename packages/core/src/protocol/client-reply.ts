import { z } from "zod";
import { HudkitError } from "../errors/hudkit-error.js";
import { parsedJsonObjectOf } from "./client-json-object.js";
import { RpcCode, RpcError } from "./rpc-error.js";

/**
 * What one reply line means for the call that waited for it. `abortTransport` is set when the
 * connection can no longer be trusted to be in step (a wrong id, a garbled frame), so the
 * client must drop it, as the reference `_call` does.
 *
 * @example
 * ```ts
 * const outcome = readReply("tasks.list", 2, line);
 * if (!outcome.ok) { if (outcome.abortTransport) transport.abort(); throw outcome.error; }
 * ```
 */
export type ReplyOutcome =
  | { readonly ok: true; readonly result: Record<string, unknown> }
  | { readonly ok: false; readonly error: Error; readonly abortTransport: boolean };

/** `{code, message}`; the reference reads `code` with a -32000 default and `message` with "". */
const errorObjectSchema = z.object({
  code: z.number().optional(),
  message: z.unknown().optional(),
});

/**
 * Interprets one reply frame to request `id` of `method`, with the reference client's rules
 * (spec §4.2): a wrong id is `-32603 "'<method>': reply id did not match request"` and drops
 * the connection (unless it is an id-less error frame, whose own error is raised instead, the
 * connection still dropped); an error frame is an {@link RpcError} with its code and message; a
 * result that is not an object is `-32603`.
 *
 * @example
 * ```ts
 * readReply("hello", 1, '{"jsonrpc":"2.0","id":1,"result":{"session_id":"sess-1"}}');
 * // { ok: true, result: { session_id: "sess-1" } }
 * ```
 */
export function readReply(method: string, id: number, text: string): ReplyOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return garbled(method, "is not valid JSON");
  }
  const frame = parsedJsonObjectOf(value);
  if (frame === undefined) return garbled(method, "is not a JSON object");
  const idMatches = frame.id === id;
  if (!idMatches && (frame.id != null || !("error" in frame))) {
    return {
      ok: false,
      error: new RpcError(RpcCode.internalError, `'${method}': reply id did not match request`),
      abortTransport: true,
    };
  }
  if ("error" in frame) {
    const error = errorObjectSchema.safeParse(frame.error);
    if (!error.success) return garbled(method, "has a malformed 'error' member");
    const { code, message } = error.data;
    return {
      ok: false,
      error: new RpcError(
        Math.trunc(code ?? RpcCode.serverError),
        typeof message === "string" ? message : message === undefined ? "" : JSON.stringify(message),
      ),
      abortTransport: !idMatches,
    };
  }
  const result = parsedJsonObjectOf(frame.result);
  if (result === undefined) {
    return {
      ok: false,
      error: new RpcError(RpcCode.internalError, `'${method}': result was not an object`),
      abortTransport: false,
    };
  }
  return { ok: true, result };
}

function garbled(method: string, what: string): ReplyOutcome {
  return {
    ok: false,
    error: new HudkitError("bad-frame", `the reply to '${method}' ${what}`),
    abortTransport: true,
  };
}
