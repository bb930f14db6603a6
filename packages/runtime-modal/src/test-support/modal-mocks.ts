import type { AcquireContext, Task } from "@hudkit/core";
import { type Mock, vi } from "vitest";

/** nice-grpc's `ClientError` as the SDK lets it through: a name, a gRPC status code, details. */
export class FakeClientError extends Error {
  override readonly name = "ClientError";
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`/modal.client.ModalClient/SandboxCreate ${code}: ${details}`);
  }
}

/** The SDK's `NotFoundError`, recognised by its name. */
export class FakeNotFoundError extends Error {
  override readonly name = "NotFoundError";
}

export interface LogEntryLike {
  message: string;
  source: string;
}

/** A stand-in for `modal`'s `Sandbox` with the calls the provider makes. */
export interface MockSandbox {
  sandboxId: string;
  tunnels: Mock<() => Promise<Record<number, { url: string }>>>;
  terminate: Mock<() => Promise<void>>;
  getTags: Mock<() => Promise<Record<string, string>>>;
  logs: { tail: Mock<(params?: { entries?: number }) => AsyncGenerator<LogEntryLike>> };
}

/** A stand-in for `ModalClient`. */
export interface MockClient {
  apps: { fromName: Mock<(name: string, params?: object) => Promise<{ appId: string; name: string }>> };
  images: {
    fromRegistry: Mock<(tag: string) => { kind: string; tag: string }>;
    fromId: Mock<(id: string) => Promise<{ kind: string; imageId: string }>>;
  };
  sandboxes: {
    create: Mock<(app: unknown, image: unknown, params?: object) => Promise<MockSandbox>>;
    list: Mock<(params?: object) => AsyncGenerator<MockSandbox>>;
  };
  close: Mock<() => void>;
}

export function makeMockSandbox(
  overrides: {
    sandboxId?: string;
    url?: string;
    port?: number;
    tags?: Record<string, string>;
    logEntries?: LogEntryLike[];
    tunnels?: () => Promise<Record<number, { url: string }>>;
    terminate?: () => Promise<void>;
    getTags?: () => Promise<Record<string, string>>;
  } = {},
): MockSandbox {
  const port = overrides.port ?? 8765;
  const entries = overrides.logEntries ?? [];
  return {
    sandboxId: overrides.sandboxId ?? "sb-1a2b3c",
    tunnels: vi.fn(
      overrides.tunnels ?? (async () => ({ [port]: { url: overrides.url ?? "https://ta-01.w.modal.host" } })),
    ),
    terminate: vi.fn(overrides.terminate ?? (async () => {})),
    getTags: vi.fn(overrides.getTags ?? (async () => overrides.tags ?? {})),
    logs: {
      tail: vi.fn(async function* (_params?: { entries?: number }) {
        yield* entries;
      }),
    },
  };
}

/** A mock client: `sandboxes.create` hands out `sandboxes` in order, `list` yields `listed`. */
export function makeMockClient(
  sandboxes: MockSandbox[] = [makeMockSandbox()],
  listed: MockSandbox[] = [],
): MockClient {
  const queue = [...sandboxes];
  return {
    apps: { fromName: vi.fn(async (name: string, _params?: object) => ({ appId: `ap-${name}`, name })) },
    images: {
      fromRegistry: vi.fn((tag: string) => ({ kind: "registry", tag })),
      fromId: vi.fn(async (id: string) => ({ kind: "id", imageId: id })),
    },
    sandboxes: {
      create: vi.fn(async (_app: unknown, _image: unknown, _params?: object) => {
        const next = queue.shift();
        if (next === undefined) throw new Error("no more mock sandboxes");
        return next;
      }),
      list: vi.fn(async function* (_params?: object) {
        yield* listed;
      }),
    },
    close: vi.fn(),
  };
}

export const TASK: Task = {
  env: "letter-count",
  id: "count_letter",
  args: { word: "banana" },
  slug: "count-a",
};

export function context(overrides: Partial<AcquireContext> = {}): AcquireContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    signal: new AbortController().signal,
    log: (line) => lines.push(line),
    jobId: "job-1",
    runId: "run-1",
    lines,
    ...overrides,
  };
}
