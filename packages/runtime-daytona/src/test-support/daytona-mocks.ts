import type { Daytona, Sandbox } from "@daytonaio/sdk";
import type { AcquireContext, Task } from "@hudkit/core";
import { type Mock, vi } from "vitest";

/** The SDK's error shape: `name` is the class name, `statusCode` the HTTP status when there was one. */
export class DaytonaError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class DaytonaAuthenticationError extends DaytonaError {}
export class DaytonaForbiddenError extends DaytonaError {}
export class DaytonaNotFoundError extends DaytonaError {}

/** A sandbox whose SDK methods are spies; `overrides` replace fields (labels, state, delete, ...). */
export function makeMockSandbox(overrides: Record<string, unknown> = {}) {
  const id = (overrides.id as string | undefined) ?? "sb-1";
  return {
    id,
    labels: {} as Record<string, string>,
    state: "started",
    delete: vi.fn(async (): Promise<void> => {}),
    getPreviewLink: vi.fn(async (port: number) => ({
      sandboxId: id,
      url: `https://${port}-${id}.proxy.daytona.works`,
      token: "preview-token",
    })),
    process: {
      createSession: vi.fn(async (_session: string): Promise<void> => {}),
      executeSessionCommand: vi.fn(
        async (_session: string, _request: { command: string; runAsync?: boolean }) => ({
          cmdId: "cmd-1",
        }),
      ),
      getSessionCommandLogs: vi.fn(
        async (
          _session: string,
          _cmdId: string,
        ): Promise<{ output?: string; stdout?: string; stderr?: string }> => ({
          output: "env: listening on 0.0.0.0:8765\n",
        }),
      ),
    },
    ...overrides,
  };
}
export type MockSandbox = ReturnType<typeof makeMockSandbox>;

/** A Daytona client whose `create` returns `sandbox` and whose `list` yields those of `listed` with the labels asked for. */
export function makeMockClient(sandbox: MockSandbox = makeMockSandbox(), listed: MockSandbox[] = []) {
  return {
    create: vi.fn(
      async (_params: Record<string, unknown>, _options?: Record<string, unknown>) => sandbox as unknown,
    ),
    list: vi.fn((query?: { labels?: Record<string, string> }) =>
      iterate(
        listed.filter((item) =>
          Object.entries(query?.labels ?? {}).every(([key, value]) => item.labels[key] === value),
        ),
      ),
    ),
  };
}
export type MockClient = ReturnType<typeof makeMockClient>;

export function asClient(client: MockClient): Daytona {
  return client as unknown as Daytona;
}

export function asSandbox(sandbox: MockSandbox): Sandbox {
  return sandbox as unknown as Sandbox;
}

async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

export const TASK: Task = { env: "letters", id: "count", args: { word: "banana" }, slug: "count-1a2b3c4d" };

export function taskWith(runtimeConfig: Task["runtime_config"]): Task {
  return { ...TASK, runtime_config: runtimeConfig };
}

export function context(signal: AbortSignal = new AbortController().signal): AcquireContext & {
  log: Mock<(line: string) => void>;
} {
  return { signal, log: vi.fn<(line: string) => void>(), jobId: "job-1", runId: "run-1" };
}

export const TAGS = { "hudkit.job": "job-1", "hudkit.run": "run-1", "hudkit.task": "count-1a2b3c4d" };

/** A promise with its settle functions, to hold an SDK call open while the test aborts. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A mock implementation of the SDK's `Daytona` class: `new` needs a function, vitest refuses an arrow. */
export function constructorReturning(make: () => unknown): () => unknown {
  // biome-ignore lint/complexity/useArrowFunction: called with `new`
  return function () {
    return make();
  };
}
