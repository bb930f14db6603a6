import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { HudkitError } from "../errors/hudkit-error.js";
import { defaultSlug, slugWithDigits } from "./default-slug.js";
import { indexTasksBySlug } from "./slug-collisions.js";
import { createTask, type Task } from "./task.js";
import { Taskset } from "./taskset.js";

// Two different rows whose default slugs share their 8 hex digits (found by search), and a
// generator of 100k distinct rows that holds two such pairs.
const COLLIDING_SLUG = "t-8f685506";
const first = () => createTask({ env: "e", id: "t", args: { index: 43130 } });
const second = () => createTask({ env: "e", id: "t", args: { index: 44770 } });
const ROW_COUNT = 100_000;
const rowAt = (n: number) => ({ env: "e", id: "t", args: { index: n } });

/** Indexes tasks, checking that every position points back at its task. */
function indexOf(tasks: Task[]): { slugs: string[]; warnings: string[]; indexed: Task[] } {
  const warnings: string[] = [];
  const { tasks: indexed, positions } = indexTasksBySlug(tasks, (message) => warnings.push(message));
  expect(positions.size).toBe(indexed.length);
  for (const [at, task] of indexed.entries()) expect(positions.get(task.slug)).toBe(at);
  return { slugs: indexed.map((task) => task.slug), warnings, indexed };
}

function duplicateError(run: () => unknown): HudkitError {
  try {
    run();
  } catch (error) {
    if (HudkitError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a duplicate-slugs error");
}

describe("indexTasksBySlug", () => {
  it("keeps unique slugs as they are, in order, and says nothing", () => {
    const tasks = [createTask({ env: "e", id: "b" }), createTask({ env: "e", id: "a", args: { x: 1 } })];
    const { tasks: indexed, positions } = indexTasksBySlug(tasks, () => expect.unreachable());
    expect(indexed).toBe(tasks);
    expect([...positions]).toEqual([
      ["b", 0],
      [tasks[1]!.slug, 1],
    ]);
  });

  it("lengthens both rows of a default-slug collision to 16 digits, and warns once", () => {
    expect(first().slug).toBe(COLLIDING_SLUG);
    expect(second().slug).toBe(COLLIDING_SLUG);
    const tasks = [
      createTask({ env: "e", id: "before" }),
      first(),
      second(),
      createTask({ env: "e", id: "after" }),
    ];
    const { slugs, warnings } = indexOf(tasks);
    const long = [slugWithDigits("t", { index: 43130 }, 16), slugWithDigits("t", { index: 44770 }, 16)];
    expect(slugs).toEqual(["before", ...long, "after"]);
    expect(long[0]).not.toBe(long[1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^2 tasks had default slugs that collide in 8 hex digits; they now have 16 /);
    expect(warnings[0]).toContain(`${COLLIDING_SLUG} is now ${long[0]}`);
  });

  it("returns new task objects for lengthened slugs and leaves the inputs alone", () => {
    const tasks = [first(), second()];
    const [a] = indexOf(tasks).indexed;
    expect(tasks[0]!.slug).toBe(COLLIDING_SLUG);
    expect(a).not.toBe(tasks[0]);
    expect(Object.keys(a!)).toEqual(Object.keys(tasks[0]!));
    expect(a).toEqual({ ...tasks[0], slug: slugWithDigits("t", { index: 43130 }, 16) });
  });

  it("lengthens only the default slug when an explicit slug takes the same text", () => {
    const explicit = createTask({ env: "e", id: "other", slug: COLLIDING_SLUG });
    const { slugs, warnings } = indexOf([explicit, first()]);
    expect(slugs).toEqual([COLLIDING_SLUG, slugWithDigits("t", { index: 43130 }, 16)]);
    expect(warnings[0]).toMatch(/^1 tasks had default slugs/);
  });

  it("treats the same env, id and args twice as a real duplicate", () => {
    const error = duplicateError(() => indexOf([first(), createTask({ env: "e", id: "x" }), first()]));
    expect(error.code).toBe("duplicate-slugs");
    expect(error.message).toBe(`duplicate task slugs: ${COLLIDING_SLUG}`);
  });

  it("treats rows that differ only in env as duplicates: the env is not part of the slug", () => {
    const other = createTask({ env: "elsewhere", id: "t", args: { index: 43130 } });
    expect(duplicateError(() => indexOf([first(), other])).message).toBe(
      `duplicate task slugs: ${COLLIDING_SLUG}`,
    );
  });

  it("treats an explicit slug given twice as a duplicate, listing slugs sorted and once each", () => {
    const tasks = [
      createTask({ env: "e", id: "a", slug: "zeta" }),
      createTask({ env: "e", id: "b", slug: "alpha" }),
      createTask({ env: "e", id: "c", slug: "zeta" }),
      createTask({ env: "e", id: "d", slug: "alpha" }),
      createTask({ env: "e", id: "f", slug: "zeta" }),
    ];
    expect(duplicateError(() => indexOf(tasks)).message).toBe("duplicate task slugs: alpha, zeta");
  });

  it("refuses a duplicate even when a colliding pair elsewhere could be lengthened", () => {
    const error = duplicateError(() =>
      indexOf([
        first(),
        second(),
        createTask({ env: "e", id: "s", slug: "s" }),
        createTask({ env: "e", id: "s2", slug: "s" }),
      ]),
    );
    expect(error.message).toBe("duplicate task slugs: s");
  });

  it("refuses a lengthened slug that meets an explicit one", () => {
    const long = slugWithDigits("t", { index: 43130 }, 16);
    const explicit = createTask({ env: "e", id: "x", slug: long });
    expect(duplicateError(() => indexOf([explicit, first(), second()])).message).toBe(
      `duplicate task slugs: ${long}`,
    );
  });

  it("warns through console.warn with a hudkit: prefix by default", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      indexTasksBySlug([first(), second()]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toMatch(/^hudkit: 2 tasks had default slugs/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("100k distinct rows", () => {
  it("all load, with unique slugs; the rows whose 8 digits collide get 16", async () => {
    // Which default slugs collide, computed independently of the loader.
    const counts = new Map<string, number>();
    for (let n = 0; n < ROW_COUNT; n++) {
      const slug = defaultSlug("t", rowAt(n).args);
      counts.set(slug, (counts.get(slug) ?? 0) + 1);
    }
    const colliding = [...counts].filter(([, count]) => count > 1);
    expect(colliding.length).toBeGreaterThan(0);
    expect(colliding.map(([slug]) => slug)).toContain(COLLIDING_SLUG);

    const dir = mkdtempSync(join(tmpdir(), "hudkit-100k-"));
    const file = join(dir, "big.jsonl");
    writeFileSync(
      file,
      Array.from({ length: ROW_COUNT }, (_, n) => `${JSON.stringify(rowAt(n))}\n`).join(""),
    );
    const warnings: string[] = [];
    const taskset = await Taskset.fromFile(file, { onWarning: (message) => warnings.push(message) });

    expect(taskset.size).toBe(ROW_COUNT);
    expect(new Set(taskset.tasks.map((task) => task.slug)).size).toBe(ROW_COUNT);
    // every() rather than toEqual: a deep comparison of 100k entries is slow for nothing.
    expect(taskset.tasks.every((task, n) => task.args.index === n)).toBe(true);
    const lengthened = taskset.tasks.filter((task) => task.slug.length === "t-".length + 16);
    expect(lengthened).toHaveLength(colliding.reduce((sum, [, count]) => sum + count, 0));
    for (const task of lengthened) {
      expect(counts.get(defaultSlug("t", task.args))).toBeGreaterThan(1);
      expect(task.slug).toBe(slugWithDigits("t", task.args, 16));
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${lengthened.length} tasks had default slugs`));
  });
});
