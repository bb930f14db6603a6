import { Capability } from "../../environment/capability.js";
import {
  conformanceArgs,
  conformanceInput,
  conformanceReturns,
} from "../../environment/conformance-fixture-args.js";
import { Environment } from "../../environment/environment.js";
import type { Answer } from "../../environment/template.js";
import { EvaluationResult, SubScore } from "../../graders/evaluation-result.js";

/**
 * The `conformance` environment (version 1.2.3) of the recorded vectors, rewritten from the
 * Python source in `/work/shared/conformance/envs.md`. Templates are registered in the recorded
 * order with the shared zod schemas of `conformance-fixture-args.ts`; their bodies follow the
 * Python ones line by line, with Python semantics spelled out where JavaScript differs
 * (`str + x` throws unless `x` is a string, `==` is Python equality).
 */

/** A plain object with a `.reward` attribute: neither a dict nor a model. */
export class RewardBox {
  constructor(readonly reward: unknown) {}
}

/** Python's `type(x).__name__` for the values these templates concatenate. */
function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}

/** Python's `prefix + value`: a TypeError unless `value` is a string. */
function concat(prefix: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(`can only concatenate str (not "${pythonTypeName(value)}") to str`);
  }
  return prefix + value;
}

/** Python's `==` between a JSON answer and a JSON value (`1 == 1.0 == True`, lists itemwise). */
function pyEquals(left: unknown, right: unknown): boolean {
  const numeric = (value: unknown) => typeof value === "number" || typeof value === "boolean";
  if (numeric(left) && numeric(right)) return Number(left) === Number(right);
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, index) => pyEquals(item, right[index]));
  }
  return left === right;
}

/** A fresh `conformance` environment with its own process state (`STATE` in the Python source). */
export function createConformanceEnv(): Environment {
  const state: { initialized: boolean; closed: string[] } = { initialized: false, closed: [] };
  const env = new Environment({
    name: "conformance",
    version: "1.2.3",
    capabilities: [
      Capability.ssh({
        name: "shell",
        url: "127.0.0.1:2222",
        hostPubkey: "ssh-ed25519 AAAA",
        cwd: "/workspace",
        isolation: "none",
      }),
      Capability.mcp({ name: "tools", url: "http://127.0.0.1:8040/mcp" }),
    ],
  });

  env.initialize(async () => {
    state.initialized = true;
    env.addCapability(Capability.cdp({ name: "browser", url: "127.0.0.1" }));
    env.addCapability(Capability.rfb({ name: "screen", url: "127.0.0.1", display: 1, password: "pw" }));
    env.addCapability(
      Capability.robot({
        name: "robot",
        url: "127.0.0.1",
        contract: { robot_type: "arm", control_rate: 10, features: {} },
      }),
    );
    env.addCapability(
      new Capability({
        name: "custom",
        protocol: "custom/1",
        url: "tcp://127.0.0.1:7000",
        params: { root: "/workspace", nested: { a: [1, 2] } },
      }),
    );
    // Re-publishing an existing name replaces the entry and moves it to the end.
    env.addCapability(Capability.mcp({ name: "tools", url: "ws://127.0.0.1:8041" }));
  });

  env.shutdown(async () => {
    state.initialized = false;
  });

  // 1
  env.template({ id: "plain", args: conformanceArgs.plain }, async function* () {
    const answer = yield "What is 2+2?";
    yield pyEquals(answer, "4") ? 1.0 : 0.0;
  });

  // 2
  env.template(
    { id: "echo", description: "Echo a tag", args: conformanceArgs.echo },
    async function* ({ tag, n }) {
      const answer = yield { prompt: concat("Say ", tag), args: { tag, n } };
      yield { score: pyEquals(answer, tag) ? 1.0 : 0.0, answer };
    },
  );

  // 3
  env.template(
    { id: "math.add", description: "Add two integers", args: conformanceArgs["math.add"] },
    async function* ({ a, b }) {
      const answer = yield `What is ${a} + ${b}?`;
      yield pyEquals(answer, String(a + b)) ? 1 : 0;
    },
  );

  // 4
  env.template(
    { id: "typed", description: "Typed arguments", args: conformanceArgs.typed },
    async function* ({ mode, payload, retries, ratio, flag, tags }) {
      yield { prompt: "typed", args: { mode, payload, retries, ratio, flag, tags } };
      yield 1.0;
    },
  );

  // 5
  env.template({ id: "opt", args: conformanceArgs.opt }, async function* ({ a, b, c }) {
    yield { prompt: "opt", args: { a, b, c } };
    yield 1.0;
  });

  // 6
  env.template({ id: "loose", args: conformanceArgs.loose }, async function* (args) {
    const { a, b, z: zed, ...extra } = args;
    yield { prompt: "loose", args: { a, b, z: zed, extra } };
    yield 1.0;
  });

  // 7
  env.template(
    { id: "hinted", args: conformanceArgs.hinted },
    async function* ({ question, attachment, files, rubric }) {
      yield { prompt: question, attachment, files, rubric };
      yield 1.0;
    },
  );

  // 8
  env.template(
    { id: "chat", description: "Chat-message prompt", args: conformanceArgs.chat },
    async function* ({ name }) {
      const answer = yield [
        { role: "system", content: "You are terse." },
        { role: "user", content: concat("Hello ", name) },
      ];
      yield pyEquals(answer, "hi") ? 1.0 : 0.0;
    },
  );

  // 9
  env.template(
    { id: "shape", description: "Prompt shapes", args: conformanceArgs.shape },
    async function* ({ kind }) {
      if (kind === "none") yield null;
      else if (kind === "number") yield 42;
      else if (kind === "model") yield { x: 1, y: 2 };
      else if (kind === "dict_noprompt") yield { question: "q", n: 1 };
      else if (kind === "framed") {
        yield {
          prompt: [
            { role: "system", content: "sys" },
            { role: "user", content: [{ type: "text", text: "look" }] },
          ],
          bindings: { robot: { token: "t1" } },
          extra: 5,
          meta: { pair: [1, 2], point: { x: 3, y: 4 } },
        };
      } else if (kind === "prompt_null") yield { prompt: null, extra: true };
      else if (kind === "unicode") yield 'caf\u00e9 \u4e2d\u6587 \u{1F600} "q" \\ \n\t\u0001';
      else yield concat("unknown shape ", kind);
      yield 1.0;
    },
  );

  // 10
  env.template(
    { id: "score", description: "Score normalisation", args: conformanceArgs.score },
    async function* ({ kind }) {
      const answer = yield concat("grade ", kind);
      switch (kind) {
        case "float":
          yield 0.25;
          return;
        case "int":
          yield 1;
          return;
        case "zero":
          yield 0;
          return;
        case "negative":
          yield -2;
          return;
        case "bigint":
          yield 10n ** 20n;
          return;
        case "true":
          yield true;
          return;
        case "false":
          yield false;
          return;
        case "nan":
          yield Number.NaN;
          return;
        case "inf":
          yield Number.POSITIVE_INFINITY;
          return;
        case "dict":
          yield { score: 0.5, tag: "b", answer };
          return;
        case "dict_int":
          yield { score: 1 };
          return;
        case "dict_bool":
          yield { score: true };
          return;
        case "dict_str":
          yield { score: "1" };
          return;
        case "dict_none":
          yield { score: null, x: 1 };
          return;
        case "dict_noscore":
          yield { reward: 1.0, info: {} };
          return;
        case "none":
          yield null;
          return;
        case "str":
          yield "1.0";
          return;
        case "list":
          yield [1.0];
          return;
        case "end":
          return;
        case "raise":
          throw new Error("grade exploded");
        case "eval":
          yield new EvaluationResult({
            reward: 0.5,
            content: "c",
            info: { k: 1 },
            subscores: [new SubScore({ name: "s", value: 0.5, weight: 1.0 })],
          });
          return;
        case "reward_obj":
          yield new RewardBox(0.75);
          return;
        case "reward_str":
          yield new RewardBox("x");
          return;
        case "model":
          yield { x: 1, y: 2 };
          return;
        default:
          yield 0.5;
      }
    },
  );

  // 11
  env.template(
    {
      id: "structured",
      description: "Answer with a point",
      args: conformanceArgs.structured,
      input: conformanceInput.structured,
      returns: conformanceReturns.structured,
    },
    async function* (): AsyncGenerator<unknown, void, Answer> {
      const answer = yield "Give a point with x + y = 7";
      const content = answer.content;
      // The answer is a Point when `returns` validation succeeded; otherwise content is the raw value.
      const point = conformanceReturns.structured.safeParse(content);
      const parsed = point.success;
      const ok = point.success && point.data.x + point.data.y === 7;
      yield { score: ok ? 1.0 : 0.0, parsed, content, raw: answer.raw };
    },
  );

  // 12
  env.template(
    { id: "numbers", args: conformanceArgs.numbers, returns: conformanceReturns.numbers },
    async function* (): AsyncGenerator<unknown, void, Answer> {
      const answer = yield "List 1, 2, 3";
      yield {
        score: pyEquals(answer.content, [1, 2, 3]) ? 1.0 : 0.0,
        content: answer.content,
        raw: answer.raw,
      };
    },
  );

  // 13
  env.template(
    { id: "boom", description: "Fails before the first yield", args: conformanceArgs.boom },
    async function* ({ kind }) {
      if (kind === "value") throw new Error("start exploded");
      // Python raises KeyError("missing"), which the reference misreports as an unknown task;
      // JavaScript has no KeyError (see the failed_start_destroys_task exemption).
      if (kind === "key") throw new Error("missing");
      if (kind === "runtime") throw new Error("");
      yield "never";
      yield 1.0;
    },
  );

  // 14
  env.template(
    { id: "tracked", description: "Records its own closing", args: conformanceArgs.tracked },
    async function* ({ label }) {
      try {
        const answer = yield concat("tracked ", label);
        yield pyEquals(answer, label) ? 1.0 : 0.0;
      } finally {
        state.closed.push(label);
      }
    },
  );

  // 15
  env.template(
    { id: "closed", description: "Reports process state", args: conformanceArgs.closed },
    async function* () {
      yield { prompt: "closed", initialized: state.initialized, closed: [...state.closed] };
      yield 1.0;
    },
  );

  return env;
}
