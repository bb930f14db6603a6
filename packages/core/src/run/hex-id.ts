import { randomUUID } from "node:crypto";

/**
 * A fresh id in the reference's form, `uuid4().hex`: 32 lowercase hex digits. Job, group and
 * run ids all look like this.
 *
 * @example
 * ```ts
 * hexId(); // "9b2c0d6e8f1a4b7c9d3e5f60718293a4"
 * ```
 */
export function hexId(): string {
  return randomUUID().replaceAll("-", "");
}
