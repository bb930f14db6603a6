/** What the scaffold is made from: the env's name and the versions to depend on. */
export interface ProjectSettings {
  /** The env's and the package's name, e.g. `my-env`. */
  name: string;
  /** The `@hudkit/core` version range for `package.json`, e.g. `^0.1.0`. */
  coreRange: string;
  /** The `@hudkit/cli` version range for `package.json`. */
  cliRange: string;
}

/**
 * The files of a new environment project, by path relative to its directory: an env with one
 * template, tasks for it, an agent that solves them, the image recipe, and how to run it all.
 *
 * @example
 * ```ts
 * const files = projectFiles({ name: "my-env", coreRange: "^0.1.0", cliRange: "^0.1.0" });
 * Object.keys(files); // ["env.ts", "tasks.ts", "agent.ts", "Dockerfile.hud", ...]
 * ```
 */
export function projectFiles(settings: ProjectSettings): Record<string, string> {
  return {
    "env.ts": envSource(settings.name),
    "tasks.ts": TASKS_SOURCE,
    "agent.ts": AGENT_SOURCE,
    "Dockerfile.hud": DOCKERFILE,
    "package.json": `${JSON.stringify(packageJson(settings), null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    "README.md": readme(settings.name),
    ".gitignore": "node_modules/\n.hud/\n",
    ".dockerignore": "node_modules/\n.hud/jobs/\n",
  };
}

/**
 * Turns a directory name into an env name: lower case, runs of anything but letters, digits
 * and dashes become one dash, and it starts with a letter or digit.
 *
 * @example
 * ```ts
 * envNameFor("My Env_2"); // "my-env-2"
 * ```
 */
export function envNameFor(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  return name === "" ? "my-env" : name;
}

function envSource(name: string): string {
  return `import { Environment, z } from "@hudkit/core";

/** The environment: its templates are the tasks an agent can be given. */
export const env = new Environment({ name: ${JSON.stringify(name)}, version: "0.1.0" });

/**
 * A template: it yields the prompt, receives the agent's answer, then yields the reward, from 0
 * to 1. Calling \`count({...})\` makes a task row for tasks.ts.
 */
export const count = env.template(
  {
    id: "count",
    description: "Count how often a letter occurs in a sentence",
    args: z.object({ sentence: z.string(), letter: z.string().length(1) }),
  },
  async function* ({ sentence, letter }) {
    const answer = yield \`How many times does the letter '\${letter}' occur in "\${sentence}"? Reply with just the number.\`;
    const expected = [...sentence.toLowerCase()].filter((c) => c === letter.toLowerCase()).length;
    yield String(answer ?? "").trim() === String(expected) ? 1 : 0;
  },
);
`;
}

const TASKS_SOURCE = `import { count } from "./env.js";

/** The taskset: \`hud eval tasks.ts\` runs every exported task. */
export const tasks = [
  count({ sentence: "Strawberry fields forever", letter: "r" }),
  count({ sentence: "The quick brown fox jumps over the lazy dog", letter: "o" }),
  count({ sentence: "Mississippi", letter: "s" }),
];
`;

const AGENT_SOURCE = `import type { Run } from "@hudkit/core";

/**
 * A programmatic agent: it reads the letter and the sentence out of the prompt and counts. A
 * model-backed agent sends \`run.promptText\` to a model instead and sets \`run.answer\` from the
 * reply; the contract is the same.
 */
export default async function agent(run: Run): Promise<void> {
  const match = /letter '(.)' occur in "(.*)"\\?/.exec(run.promptText);
  if (match === null) throw new Error(\`unexpected prompt: \${run.promptText}\`);
  const [, letter, sentence] = match;
  const count = [...sentence!.toLowerCase()].filter((c) => c === letter!.toLowerCase()).length;
  run.answer = String(count);
}
`;

// The legacy builder must be able to build it: no BuildKit-only syntax.
const DOCKERFILE = `# The environment's image. \`hud build\` bundles env.ts and everything it imports into
# .hud/build/env.mjs, one file that needs no npm install, then builds this.
FROM node:24-bookworm-slim
WORKDIR /env
COPY .hud/build/env.mjs ./env.mjs
EXPOSE 8765
CMD ["node", "env.mjs", "--host", "0.0.0.0", "--port", "8765"]
`;

function packageJson(settings: ProjectSettings): Record<string, unknown> {
  return {
    name: settings.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      eval: "hud eval tasks.ts --agent agent.ts",
      serve: "hud serve env.ts",
      tasks: "hud tasks list tasks.ts",
      typecheck: "tsc --noEmit",
    },
    dependencies: { "@hudkit/core": settings.coreRange },
    devDependencies: { "@hudkit/cli": settings.cliRange, "@types/node": "^20.19.0", typescript: "^5.9.0" },
    engines: { node: ">=20.19" },
  };
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ["*.ts"],
};

function readme(name: string): string {
  return `# ${name}

A hudkit environment: \`env.ts\` declares it and its \`count\` template, \`tasks.ts\` lists tasks
made from the template, and \`agent.ts\` is an agent that solves them.

## Run the agent on the tasks

\`\`\`sh
hud eval tasks.ts --agent agent.ts --group 3
\`\`\`

Each rollout gets a fresh child process serving \`env.ts\`. The job (every run, its reward and
its errors) is written under \`.hud/jobs/\`; \`hud jobs list\` and \`hud jobs show <id>\` read it.

## Other things to do with it

\`\`\`sh
hud tasks list tasks.ts                      # the tasks: slug, id, args
hud serve env.ts --port 8765                 # serve the env over TCP and WebSocket
hud task start count --url tcp://127.0.0.1:8765 --args '{"sentence":"banana","letter":"a"}'
hud task grade --url tcp://127.0.0.1:8765 --answer 3
\`\`\`

## Next steps

- Add templates to \`env.ts\` and tasks to \`tasks.ts\` (or a \`.jsonl\` file of task rows).
- Replace \`agent.ts\` with a model-backed agent: it gets a \`Run\` and sets \`run.answer\`.
- \`Dockerfile.hud\` serves the bundled env on port 8765 in a container.
`;
}
