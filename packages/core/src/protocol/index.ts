export * from "./client-index.js";
export { DEFAULT_MAX_FRAME_BYTES, FrameReader, FrameTooLargeError } from "./frame-reader.js";
export { RpcCode, RpcError } from "./rpc-error.js";
export type { ServeOptions } from "./serve.js";
export { serve } from "./serve.js";
export type { BindOptions, BoundServer } from "./server.js";
export { bind } from "./server.js";
