import { createRequire } from "node:module";
import { Command, CommanderError } from "commander";
import { EXIT_USAGE, reportError } from "./usage-error.js";

/** The cloud runtime plugins with a `hud <name> prune` command. */
const CLOUD_RUNTIMES = [
  {
    name: "modal",
    vendor: "Modal",
    tags: "Modal tags",
    credentials: "MODAL_TOKEN_ID and MODAL_TOKEN_SECRET",
  },
  { name: "e2b", vendor: "E2B", tags: "E2B metadata", credentials: "E2B_API_KEY" },
  { name: "daytona", vendor: "Daytona", tags: "Daytona labels", credentials: "DAYTONA_API_KEY" },
] as const;

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The default of `--jobs-dir`, `@hudkit/core`'s `DEFAULT_JOBS_DIR` (not imported: `--help` stays light). */
const DEFAULT_JOBS_DIR = ".hud/jobs";
/** Rollouts at once unless `--max-concurrent` says otherwise: each local rollout is a process. */
const DEFAULT_MAX_CONCURRENT = "8";
/** Seconds `hud task` waits for an env to answer `hello`: short, a served env answers at once. */
const DEFAULT_READY_TIMEOUT = "5";
/** `--header K=V`, repeatable: every value collected, checked by the command. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Where a command's action leaves its exit code. */
interface Outcome {
  exitCode: number;
}

/**
 * The `hud` program. Commands are declared here, light; each action imports its command module
 * (and through it `@hudkit/core`) only when it runs.
 *
 * @example
 * ```ts
 * await createProgram().parseAsync(["node", "hud", "jobs", "list"]);
 * ```
 */
export function createProgram(outcome: Outcome = { exitCode: 0 }): Command {
  const program = new Command("hud")
    .description(
      "hudkit: scaffold environments, run agents on tasksets, inspect jobs, list, export and compare tasks, serve environments and build their images, drive a task by hand",
    )
    .version(version)
    .option("--verbose", "print stack traces with errors")
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`${text.trimEnd()} (see --help)\n`),
    });
  const done = (code: number): void => {
    outcome.exitCode = code;
  };

  program
    .command("init")
    .description("scaffold a runnable environment project: env.ts, tasks.ts, agent.ts, Dockerfile.hud")
    .argument("[dir]", "where to create it (default: the current directory), empty unless --force")
    .option("--name <name>", "the env's and package's name (default: the directory's name)")
    .option("--force", "write the project's files even if the directory is not empty, replacing them")
    .option("--no-link", "do not link this hud's @hudkit/core into node_modules (run npm install instead)")
    .addHelpText(
      "after",
      `
Examples:
  $ hud init my-env
  $ hud init . --name letter-count --force

Then, inside the project:
  $ hud eval tasks.ts --agent agent.ts --group 3`,
    )
    .action(async (dir: string | undefined, options: Record<string, unknown>) => {
      const { initCommand } = await import("./commands/init-command.js");
      done(await initCommand(dir, options));
    });

  program
    .command("eval")
    .description("run an agent on every task of a taskset, recording the job as it runs")
    .argument("<source>", "the tasks: a .ts/.mts/.js/.mjs module, a .json/.jsonl/.csv file, or a directory")
    .requiredOption(
      "--agent <module>",
      "a module whose default export is the agent: (run) => Promise<void>; or oracle / nop for Harbor tasks",
    )
    .option(
      "--runtime <spec>",
      "where rollouts run: local (each task's own module; Harbor tasks: harbor), local:<env file>, url:tcp://host:port, docker:<image>, harbor, <plugin>:<arg>",
      "local",
    )
    .option(
      "--image-map <from=to>",
      "Harbor tasks: build FROM (and docker_image) <from> with the local image <to>, repeatable",
      collect,
      [],
    )
    .option("--group <n>", "rollouts per task (default: 1, or the resumed job's)")
    .option("--max-concurrent <n>", "at most this many rollouts at once", DEFAULT_MAX_CONCURRENT)
    .option("--rollout-timeout <seconds>", "bound each rollout, teardown included")
    .option("--filter <slugs>", "run only the tasks with these slugs, comma-separated")
    .option("--jobs-dir <dir>", "where jobs are written", DEFAULT_JOBS_DIR)
    .option("--json", "print the job summary as JSON and nothing else on stdout")
    .option("--resume <job-id>", "finish an interrupted job: run only the rollouts it has not recorded")
    .addHelpText(
      "after",
      `
Examples:
  $ hud eval examples/letter-count/tasks.ts --agent examples/letter-count/agent.ts --group 3
  $ hud eval tasks.jsonl --agent ./my-agent.ts --runtime docker:my-env:latest --max-concurrent 16 --json
  $ hud eval tasks.ts --agent ./my-agent.ts --group 3 --resume 9b2c0d6e8f1a4b7c9d3e5f60718293a4
  $ hud eval datasets/hello --agent oracle --image-map ubuntu:24.04=debian:bookworm-slim

The agent module default-exports the agent:
  export default async function agent(run) { run.answer = "3"; }

Ctrl-C stops the rollouts in flight and keeps every finished run; the command to resume is printed.
Exit codes: 0 the job ran (failed rollouts included), 2 usage or configuration error, 130 Ctrl-C.`,
    )
    .action(async (source: string, _options: unknown, command: Command) => {
      const { evalCommand } = await import("./commands/eval-command.js");
      done(await evalCommand(source, command.optsWithGlobals(), process.argv.slice(2)));
    });

  const jobs = program
    .command("jobs")
    .description("list and inspect recorded jobs")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud jobs list\n  $ hud jobs show 9b2c0d6e8f1a4b7c9d3e5f60718293a4 --runs",
    );
  jobs
    .command("list")
    .description("list the jobs of a jobs directory, newest first")
    .option("--jobs-dir <dir>", "where jobs are written", DEFAULT_JOBS_DIR)
    .option("--json", "print the jobs' job.json contents as a JSON array")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud jobs list\n  $ hud jobs list --jobs-dir runs/.hud/jobs --json",
    )
    .action(async (options: Record<string, unknown>) => {
      const { jobsListCommand } = await import("./commands/jobs-command.js");
      done(await jobsListCommand(options));
    });
  jobs
    .command("show")
    .description("show one job: reward per task, errors by phase, and optionally every run")
    .argument("<id>", "the job id (see hud jobs list)")
    .option("--jobs-dir <dir>", "where jobs are written", DEFAULT_JOBS_DIR)
    .option("--runs", "list every run too")
    .option("--json", "print the job as JSON (with --runs, its run records too)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud jobs show 9b2c0d6e8f1a4b7c9d3e5f60718293a4\n  $ hud jobs show 9b2c0d6e8f1a4b7c9d3e5f60718293a4 --runs --json",
    )
    .action(async (id: string, options: Record<string, unknown>) => {
      const { jobsShowCommand } = await import("./commands/jobs-command.js");
      done(await jobsShowCommand(id, options));
    });

  const tasks = program
    .command("tasks")
    .description("list and export the tasks of a taskset")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud tasks list examples/letter-count/tasks.ts\n  $ hud tasks export examples/letter-count/tasks.ts out/tasks.jsonl",
    );
  tasks
    .command("list")
    .description("list each task's slug, id and args")
    .argument("<source>", "the tasks: a .ts/.mts/.js/.mjs module, a .json/.jsonl/.csv file, or a directory")
    .option("--json", "print the tasks as a JSON array of { slug, id, env, args }")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud tasks list examples/letter-count/tasks.ts\n  $ hud tasks list tasks.jsonl --json",
    )
    .action(async (source: string, options: Record<string, unknown>) => {
      const { tasksListCommand } = await import("./commands/tasks-command.js");
      done(await tasksListCommand(source, options));
    });
  tasks
    .command("export")
    .description("write the tasks to a .json, .jsonl or .csv file (which hud eval can load back)")
    .argument("<source>", "the tasks: a .ts/.mts/.js/.mjs module, a .json/.jsonl/.csv file, or a directory")
    .argument("<out>", "the file to write: .json (a list), .jsonl (a task a line) or .csv")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud tasks export examples/letter-count/tasks.ts out/tasks.jsonl\n  $ hud tasks export tasks/ tasks.csv",
    )
    .action(async (source: string, out: string) => {
      const { tasksExportCommand } = await import("./commands/tasks-command.js");
      done(await tasksExportCommand(source, out));
    });

  const task = program
    .command("task")
    .description("drive one task on a served env by hand: list its templates, start one, grade it later")
    .addHelpText(
      "after",
      `
Examples:
  $ hud task list --url tcp://127.0.0.1:8765
  $ hud task start count_letter --url tcp://127.0.0.1:8765 --args '{"word":"banana","letter":"a"}'
  $ hud task grade --url tcp://127.0.0.1:8765 --answer 3

hud task start disconnects without bye, so the env parks the session; hud task grade, in another
process, grades it (the env's one parked session, or the one --session names).`,
    );
  /** The options every `hud task` subcommand takes to reach the env. */
  const connection = (command: Command): Command =>
    command
      .requiredOption(
        "--url <url>",
        "the env's control URL: tcp://host:port, ws://host:port/ or wss://host/...",
      )
      .option("--header <K=V>", "an HTTP header for the WebSocket upgrade (ws/wss), repeatable", collect, [])
      .option("--ready-timeout <seconds>", "how long to wait for the env to answer", DEFAULT_READY_TIMEOUT);
  connection(task.command("list").description("list the env's task templates: id, description and args"))
    .option("--json", "print the tasks.list result ({ tasks: [...] }) as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud task list --url tcp://127.0.0.1:8765\n  $ hud task list --url wss://env.example/ --header Authorization='Bearer <token>' --json",
    )
    .action(async (options: Record<string, unknown>) => {
      const { taskListCommand } = await import("./commands/task-command.js");
      done(await taskListCommand(options));
    });
  connection(
    task
      .command("start")
      .description("start a task, print its prompt (session id on stderr) and leave the session parked")
      .argument("<task-id>", "the template id (see hud task list)"),
  )
    .option("--args <json>", "the task's args as a JSON object", "{}")
    .option("--json", "print { session_id, prompt, bindings } as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ hud task start count_letter --url tcp://127.0.0.1:8765 --args '{"word":"banana","letter":"a"}'\n  $ hud task start count_letter --url ws://127.0.0.1:8765/ --json`,
    )
    .action(async (taskId: string, options: Record<string, unknown>) => {
      const { taskStartCommand } = await import("./commands/task-command.js");
      done(await taskStartCommand(taskId, options));
    });
  connection(
    task.command("grade").description("grade the parked session with an answer and print the reward"),
  )
    .option("--answer <text>", "the answer")
    .option("--answer-file <file>", "read the answer from a file (one trailing newline dropped)")
    .option(
      "--session <id>",
      "resume this session (printed by hud task start) instead of the lone parked one",
    )
    .option("--json", "print the grade as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud task grade --url tcp://127.0.0.1:8765 --answer 3\n  $ hud task grade --url tcp://127.0.0.1:8765 --answer-file answer.txt --session <id> --json",
    )
    .action(async (options: Record<string, unknown>) => {
      const { taskGradeCommand } = await import("./commands/task-command.js");
      done(await taskGradeCommand(options));
    });

  const sync = program
    .command("sync")
    .description("compare a local taskset with a remote one")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud sync plan tasks.ts exported/remote.jsonl\n  $ hud sync plan tasks/ remote.json --json",
    );
  sync
    .command("plan")
    .description(
      "show what a sync would do to make <remote> match <local>: create, update, unchanged, remote only",
    )
    .argument("<local>", "the local tasks: a module, a .json/.jsonl/.csv file, or a directory")
    .argument("<remote>", "the remote tasks, as exported: a .json/.jsonl/.csv file, a module or a directory")
    .option("--unchanged", "list the unchanged tasks too")
    .option("--json", "print { taskset_name, create, update, unchanged, remote_only } as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ hud sync plan examples/letter-count/tasks.ts remote.jsonl
  $ hud sync plan tasks/ remote.json --json

Tasks are matched by slug. An update names the fields that differ (env, id, args, validation,
agent_config, columns, runtime_config, verifier). Nothing is ever planned for deletion: remote-only
tasks are reported, not removed.`,
    )
    .action(async (local: string, remote: string, options: Record<string, unknown>) => {
      const { syncPlanCommand } = await import("./commands/sync-command.js");
      done(await syncPlanCommand(local, remote, options));
    });

  program
    .command("build")
    .description("bundle an env and build its Docker image from Dockerfile.hud")
    .argument("[dir]", "the env project: the build context (default: the current directory)")
    .option("-t, --tag <image>", "the image name (default: <directory name>:latest)")
    .option("--env-file <file>", "the env module, relative to the directory", "env.ts")
    .option("--dockerfile <file>", "the Dockerfile, relative to the directory", "Dockerfile.hud")
    .option("--quiet", "do not stream the build log")
    .addHelpText(
      "after",
      `
Examples:
  $ hud build examples/letter-count -t letter-count:dev
  $ hud build . --env-file src/env.ts

The env module and everything it imports are bundled into .hud/build/env.mjs, which the
Dockerfile copies in: the image needs no npm install. The build log streams to stderr; a failed
step is one line naming it. Then: hud eval tasks.ts --agent agent.ts --runtime docker:<image>`,
    )
    .action(async (dir: string | undefined, options: Record<string, unknown>) => {
      const { buildCommand } = await import("./commands/docker-command.js");
      done(await buildCommand(dir, options));
    });

  const docker = program
    .command("docker")
    .description("manage what the docker runtime leaves on the engine")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud docker prune\n  $ hud docker prune --job 9b2c0d6e8f1a4b7c9d3e5f60718293a4",
    );
  docker
    .command("prune")
    .description("force-remove the containers hudkit left behind (all jobs, or one)")
    .option("--job <id>", "only this job's containers")
    .option("--json", "print the removed containers as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ hud docker prune
  $ hud docker prune --job 9b2c0d6e8f1a4b7c9d3e5f60718293a4 --json

Every container the docker runtime starts is labelled hudkit.job and hudkit.run, and removed when
its rollout ends; prune sweeps what a killed process could not.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { dockerPruneCommand } = await import("./commands/docker-command.js");
      done(await dockerPruneCommand(options));
    });

  for (const cloud of CLOUD_RUNTIMES) {
    const command = program
      .command(cloud.name)
      .description(`manage what the ${cloud.name} runtime leaves in your ${cloud.vendor} account`)
      .addHelpText(
        "after",
        `\nExamples:\n  $ hud ${cloud.name} prune\n  $ hud ${cloud.name} prune --job <job id>`,
      );
    command
      .command("prune")
      .description(`terminate the ${cloud.vendor} sandboxes hudkit left behind (all jobs, or one)`)
      .option("--job <id>", "only this job's sandboxes")
      .option("--json", "print the removed sandboxes as JSON")
      .addHelpText(
        "after",
        `
Examples:
  $ hud ${cloud.name} prune
  $ hud ${cloud.name} prune --job 9b2c0d6e8f1a4b7c9d3e5f60718293a4 --json

Every sandbox the ${cloud.name} runtime creates is tagged hudkit.job and hudkit.run (${cloud.tags}) and
terminated when its rollout ends; prune sweeps what a killed process could not. Needs
@hudkit/runtime-${cloud.name} installed and ${cloud.credentials} set.`,
      )
      .action(async (options: Record<string, unknown>) => {
        const { pluginPruneCommand } = await import("./commands/prune-command.js");
        done(await pluginPruneCommand(cloud.name, options));
      });
  }

  const harbor = program
    .command("harbor")
    .description("work with Harbor benchmark tasks")
    .addHelpText(
      "after",
      "\nExamples:\n  $ hud harbor check path/to/dataset\n  $ hud harbor export examples/letter-count/tasks.ts out/letter-count",
    );
  harbor
    .command("check")
    .description("check Harbor task folders: every finding, one line each, with a stable code")
    .argument("<path>", "a Harbor task folder, or a dataset folder of task folders")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ hud harbor check path/to/dataset
  $ hud harbor check path/to/task --json

Lines read "<severity> <task> <code> <file>: <message>", or "ok <task>"; a summary comes last.
Exit codes: 0 every task loads, 1 some do not, 2 the path is missing or holds no task.`,
    )
    .action(async (path: string, options: Record<string, unknown>) => {
      const { harborCheckCommand } = await import("./commands/harbor-command.js");
      done(await harborCheckCommand(path, options));
    });
  harbor
    .command("export")
    .description(
      "write each task of a hudkit taskset as a Harbor task folder, for Harbor to run with any agent",
    )
    .argument(
      "<taskset-source>",
      "the tasks: a .ts/.mts/.js/.mjs module, a .json/.jsonl/.csv file, or a directory",
    )
    .argument("<out-dir>", "where to write the task folders, one per task (created if missing)")
    .option(
      "--env-file <file>",
      "the env module to serve in the image (default: the module each task was loaded from; needed for .json/.jsonl/.csv)",
    )
    .option(
      "--dockerfile <file>",
      "the Dockerfile whose FROM image the tasks use (default: Dockerfile.hud beside the env module)",
    )
    .option(
      "--answer-file <path>",
      "where the agent writes its final answer, in the container",
      "/workspace/answer.txt",
    )
    .option("--agent-timeout <seconds>", "[agent] timeout_sec", "600")
    .option("--verifier-timeout <seconds>", "[verifier] timeout_sec", "600")
    .addHelpText(
      "after",
      `
Examples:
  $ hud harbor export examples/letter-count/tasks.ts out/letter-count
  $ hud harbor export tasks.jsonl out/harbor --env-file env.ts --answer-file /workspace/answer.txt

Each folder holds task.toml, instruction.md (the prompt, read by starting the task once here, and
where to write the answer), environment/ (a Dockerfile on the env's base image with the env
bundled in; the container serves the env and starts the task), tests/test.sh (grades the answer
file into /logs/verifier/reward.txt; a grading failure is a Harbor error, never a 0), and
solution/solve.sh when the template declares a solution. An existing non-empty task folder is an
error: nothing is overwritten. Then: hud harbor check <out-dir>`,
    )
    .action(async (source: string, outDir: string, options: Record<string, unknown>) => {
      const { harborExportCommand } = await import("./commands/harbor-command.js");
      done(await harborExportCommand(source, outDir, options));
    });

  program
    .command("serve")
    .description("serve an environment over TCP and WebSocket on one port until SIGINT or SIGTERM")
    .argument("<env-file>", "the environment module, optionally :<name> to pick one of several")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <port>", "the port to listen on; 0 for any free port", "8765")
    .addHelpText(
      "after",
      `
Examples:
  $ hud serve examples/letter-count/env.ts
  $ hud serve envs.ts:letter-count --host 0.0.0.0 --port 0

Prints HUD_SERVE_PORT=<port> on stdout once listening. Clients (Python HUD ones included) connect
to tcp://<host>:<port> or ws://<host>:<port>/.`,
    )
    .action(async (target: string, options: Record<string, unknown>) => {
      const { serveCommand } = await import("./commands/serve-command.js");
      done(await serveCommand(target, options));
    });

  return program;
}

/**
 * Runs `hud` with these arguments (`process.argv`) and resolves to the exit code: 0, 2 for a
 * usage or configuration mistake (printed as one line; `--verbose` adds the stack), 130 after
 * Ctrl-C during an eval, 1 for anything unexpected.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv);
 * ```
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const outcome: Outcome = { exitCode: 0 };
  try {
    await createProgram(outcome).parseAsync([...argv]);
    return outcome.exitCode;
  } catch (error) {
    // Commander already printed its own errors; help and --version end with exit code 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    return reportError(error, argv.includes("--verbose"));
  }
}
