import { randomBytes } from "node:crypto";
import type { TaskRunner } from "../environment/task-runner.js";

/**
 * Session ids draw on a batch of random bytes: a `randomBytes(4)` per session is a CSPRNG call
 * each time, a measurable share of accepting a connection.
 */
const RANDOM_BATCH_BYTES = 4096;

/** Two hex digits for every byte value: four lookups beat `buffer.toString("hex", ...)`. */
const HEX_BYTES: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, "0"),
);

/**
 * Session state of one bound server (spec §1.7): the suspended task of each session, and which
 * sessions have a connection right now. A runner whose session is not live is parked: it waits
 * for a `hello {session_id}` resume or a lone `tasks.grade` to adopt it.
 */
export class SessionTable {
  readonly runners = new Map<string, TaskRunner>();
  readonly live = new Set<string>();
  #randomBatch = Buffer.alloc(0);
  #randomOffset = 0;

  /** A fresh `sess-<8 hex>` id, registered as live. */
  open(): string {
    let id: string;
    do id = `sess-${this.#randomHex4()}`;
    while (this.live.has(id) || this.runners.has(id));
    this.live.add(id);
    return id;
  }

  /** Eight random hex digits, from this table's batch of random bytes. */
  #randomHex4(): string {
    if (this.#randomOffset + 4 > this.#randomBatch.length) {
      this.#randomBatch = randomBytes(RANDOM_BATCH_BYTES);
      this.#randomOffset = 0;
    }
    const batch = this.#randomBatch;
    const at = this.#randomOffset;
    this.#randomOffset = at + 4;
    return (
      HEX_BYTES[batch[at]!]! +
      HEX_BYTES[batch[at + 1]!]! +
      HEX_BYTES[batch[at + 2]!]! +
      HEX_BYTES[batch[at + 3]!]!
    );
  }

  /** The ids of parked sessions, sorted by code point as the reference's message lists them. */
  parked(): string[] {
    return [...this.runners.keys()].filter((id) => !this.live.has(id)).sort();
  }

  /** Removes and returns a session's runner. */
  take(id: string): TaskRunner | undefined {
    const runner = this.runners.get(id);
    this.runners.delete(id);
    return runner;
  }

  /** Removes and returns every runner, for shutdown. */
  takeAll(): TaskRunner[] {
    const all = [...this.runners.values()];
    this.runners.clear();
    return all;
  }
}
