/**
 * Where Harbor's `tests/test.sh` writes its reward (spec §1.6). `reward.json` wins over
 * `reward.txt` whenever it exists.
 *
 * @example
 * ```ts
 * const json = await access.readFile(REWARD_JSON_PATH);
 * ```
 */
export const REWARD_JSON_PATH = "/logs/verifier/reward.json";

/**
 * The single-number reward file, read only when {@link REWARD_JSON_PATH} does not exist.
 *
 * @example
 * ```ts
 * const txt = await access.readFile(REWARD_TXT_PATH);
 * ```
 */
export const REWARD_TXT_PATH = "/logs/verifier/reward.txt";

/**
 * Why no reward could be read. Each one is an error of the run, never a score of 0: "the agent
 * failed" and "the verifier produced nothing usable" must stay apart (spec §5 item 31).
 *
 * @example
 * ```ts
 * const code: RewardErrorCode = "reward-missing";
 * ```
 */
export type RewardErrorCode =
  | "reward-missing"
  | "reward-empty"
  | "reward-unparseable"
  | "reward-non-finite"
  | "reward-no-primary";

/**
 * What {@link readRewards} made of the reward files: every metric, the scalar to score by, and
 * the file it came from; or why there is no reward, in one line naming the file.
 *
 * @example
 * ```ts
 * const reading: RewardReading = readRewards({ json: null, txt: Buffer.from("1\n") });
 * if (reading.ok) reading.primary; // 1
 * else console.error(reading.code, reading.message);
 * ```
 */
export type RewardReading =
  | {
      ok: true;
      rewards: Record<string, number>;
      primary: number;
      source: "reward.json" | "reward.txt";
      warnings: string[];
    }
  | { ok: false; code: RewardErrorCode; message: string };

type Failure = Extract<RewardReading, { ok: false }>;

/**
 * The text Python's `float()` accepts, less its Unicode digits: a sign, digits with single `_`
 * between them, an optional fraction and exponent; or nan / inf / infinity in any case.
 */
const DIGITS = String.raw`\d(?:_?\d)*`;
const FINITE_FLOAT = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
);
const NON_FINITE_FLOAT = /^[+-]?(?:nan|inf|infinity)$/i;

/** Bare constants Python's `json.loads` accepts and `JSON.parse` does not; strings skipped whole. */
const PYTHON_JSON_CONSTANTS = /"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g;
/**
 * Stands in for such a constant so the parsed value can be reported as non-finite by key. The
 * NUL makes it a string no reward file holds by accident, and it is only ever looked for after
 * a plain `JSON.parse` failed.
 */
const NON_FINITE_MARK = "\u0000hudkit-non-finite:";

const DISPLAY_LIMIT = 60;

/**
 * Reads Harbor's reward files as the verifier left them (null = the file does not exist),
 * following Harbor's rules (spec §1.6, §5 items 28-32) with hudkit's stricter choices:
 *
 * - `reward.json` is read whenever it exists, even when invalid: `reward.txt` is then ignored.
 * - `reward.txt` is one Python-float token, whitespace trimmed: `1`, `0.5`, `1e0`, `-1`.
 *   Empty text, `true` or `1 0` are errors, and so are `nan` and `inf`, which Harbor accepts.
 * - `reward.json` is an object of metric name → number. Harbor's coercions (numeric strings,
 *   booleans as 1/0) are accepted, each with a warning; `null`, a list or a bare number is an
 *   error, and so are `{}` and any non-finite value (Harbor accepts those two).
 * - The scalar to score by is the `reward` key, else `score`, else the only key.
 * - Nothing is clamped: a primary outside [0, 1] is kept and warned about.
 *
 * Never throws; a malformed file is a `{ ok: false }` reading.
 *
 * @example
 * ```ts
 * readRewards({ json: Buffer.from('{"reward": 1, "accuracy": 0.9}'), txt: Buffer.from("0") });
 * // { ok: true, rewards: { reward: 1, accuracy: 0.9 }, primary: 1, source: "reward.json", warnings: [] }
 * readRewards({ json: null, txt: Buffer.from("passed") });
 * // { ok: false, code: "reward-unparseable", message: '/logs/verifier/reward.txt holds "passed", not a number' }
 * ```
 */
export function readRewards(files: { json: Buffer | null; txt: Buffer | null }): RewardReading {
  if (files.json !== null) return readRewardJson(decode(files.json), files.txt !== null);
  if (files.txt !== null) return readRewardTxt(decode(files.txt));
  return fail(
    "reward-missing",
    `the verifier wrote no reward: neither ${REWARD_JSON_PATH} nor ${REWARD_TXT_PATH} exists`,
  );
}

function readRewardTxt(raw: string): RewardReading {
  const text = raw.trim();
  if (text === "") {
    return fail("reward-empty", `${REWARD_TXT_PATH} is ${raw === "" ? "empty" : "blank"}`);
  }
  if (NON_FINITE_FLOAT.test(text)) {
    return fail("reward-non-finite", `${REWARD_TXT_PATH} holds ${display(text)}, not a finite number`);
  }
  if (!FINITE_FLOAT.test(text)) {
    const hint = /\s/.test(text) ? " (it must hold exactly one number)" : "";
    return fail("reward-unparseable", `${REWARD_TXT_PATH} holds ${display(text)}, not a number${hint}`);
  }
  const value = Number(text.replaceAll("_", ""));
  // Digits can still overflow to Infinity ("1e999"), which Python's float() returns as inf.
  if (!Number.isFinite(value)) {
    return fail("reward-non-finite", `${REWARD_TXT_PATH} holds ${display(text)}, not a finite number`);
  }
  return scored({ reward: value }, "reward.txt", REWARD_TXT_PATH, []);
}

function readRewardJson(raw: string, txtExists: boolean): RewardReading {
  const ignoredTxt = txtExists ? ` (${REWARD_TXT_PATH} is ignored when reward.json exists)` : "";
  if (raw.trim() === "") {
    return fail("reward-empty", `${REWARD_JSON_PATH} is ${raw === "" ? "empty" : "blank"}${ignoredTxt}`);
  }
  const parsed = parseJson(raw);
  if (!parsed.ok) {
    return fail("reward-unparseable", `${REWARD_JSON_PATH} is not valid JSON: ${parsed.reason}${ignoredTxt}`);
  }
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(
      "reward-unparseable",
      `${REWARD_JSON_PATH} holds ${describe(value)}; expected an object of metric name to number, like {"reward": 1}`,
    );
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return fail("reward-empty", `${REWARD_JSON_PATH} holds no rewards ({})`);

  const metrics: Array<[string, number]> = [];
  const warnings: string[] = [];
  for (const [key, entry] of entries) {
    const metric = readMetric(key, entry, parsed.marked);
    if (!metric.ok) return metric;
    metrics.push([key, metric.value]);
    if (metric.warning !== undefined) warnings.push(metric.warning);
  }
  // fromEntries, so that a metric named "__proto__" stays an ordinary key.
  return scored(Object.fromEntries(metrics), "reward.json", REWARD_JSON_PATH, warnings);
}

type Metric = { ok: true; value: number; warning?: string } | Failure;

function readMetric(key: string, entry: unknown, marked: boolean): Metric {
  const where = `${REWARD_JSON_PATH}: ${display(key)}`;
  const coerced = (value: number): Metric => ({
    ok: true,
    value,
    warning: `${where} is ${describe(entry)}, read as ${value} (Harbor coerces it; write a number)`,
  });
  if (typeof entry === "number") {
    if (Number.isFinite(entry)) return { ok: true, value: entry };
    return fail("reward-non-finite", `${where} is ${entry}, not a finite number`);
  }
  if (marked && typeof entry === "string" && entry.startsWith(NON_FINITE_MARK)) {
    return fail(
      "reward-non-finite",
      `${where} is ${entry.slice(NON_FINITE_MARK.length)}, not a finite number`,
    );
  }
  if (typeof entry === "boolean") return coerced(entry ? 1 : 0);
  if (typeof entry === "string") {
    const text = entry.trim();
    const nonFinite = fail("reward-non-finite", `${where} is ${describe(entry)}, not a finite number`);
    if (NON_FINITE_FLOAT.test(text)) return nonFinite;
    if (FINITE_FLOAT.test(text)) {
      const value = Number(text.replaceAll("_", ""));
      return Number.isFinite(value) ? coerced(value) : nonFinite;
    }
  }
  return fail("reward-unparseable", `${where} is ${describe(entry)}; expected a number`);
}

function parseJson(
  raw: string,
): { ok: true; value: unknown; marked: boolean } | { ok: false; reason: string } {
  const text = raw.replace(/^\uFEFF/, "");
  try {
    return { ok: true, value: JSON.parse(text), marked: false };
  } catch (error) {
    // Python's json.loads also takes NaN and ±Infinity: parse them so the reading can say
    // "not a finite number" for the key at fault rather than "not valid JSON".
    const marked = text.replace(PYTHON_JSON_CONSTANTS, (whole, constant: string | undefined) =>
      constant === undefined ? whole : JSON.stringify(NON_FINITE_MARK + constant),
    );
    try {
      if (marked !== text) return { ok: true, value: JSON.parse(marked), marked: true };
    } catch {
      // The first error describes the file as written, so it is the one reported.
    }
    return { ok: false, reason: oneLine((error as Error).message) };
  }
}

function scored(
  rewards: Record<string, number>,
  source: "reward.json" | "reward.txt",
  path: string,
  warnings: string[],
): RewardReading {
  const keys = Object.keys(rewards);
  const primaryKey =
    ["reward", "score"].find((key) => Object.hasOwn(rewards, key)) ??
    (keys.length === 1 ? keys[0] : undefined);
  if (primaryKey === undefined) {
    return fail(
      "reward-no-primary",
      `${path} has no "reward" or "score" key to score by, and more than one metric (${keys.map(display).join(", ")})`,
    );
  }
  const primary = rewards[primaryKey]!;
  if (primary < 0 || primary > 1) {
    const from = source === "reward.txt" ? path : `${display(primaryKey)} in ${path}`;
    warnings.push(`the reward ${primary} (from ${from}) is outside [0, 1]; kept as is, not clamped`);
  }
  return { ok: true, rewards, primary, source, warnings };
}

function fail(code: RewardErrorCode, message: string): Failure {
  return { ok: false, code, message };
}

function decode(bytes: Buffer): string {
  return bytes.toString("utf8");
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `the string ${display(value)}`;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return `the number ${value}`;
  return "an object";
}

/** Quoted, escaped (so the message stays on one line) and cut short. */
function display(text: string): string {
  return JSON.stringify(text.length > DISPLAY_LIMIT ? `${text.slice(0, DISPLAY_LIMIT)}…` : text);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
