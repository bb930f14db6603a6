/** Characters a POSIX shell takes literally, so an argument made only of them needs no quotes. */
const SHELL_SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/**
 * The command line that resumes a job: the same arguments, any `--resume` replaced by this job's.
 *
 * @example
 * ```ts
 * resumeCommandLine(["eval", "tasks.ts", "--agent", "a.ts"], "9b2c");
 * // "hud eval tasks.ts --agent a.ts --resume 9b2c"
 * ```
 */
export function resumeCommandLine(args: readonly string[], jobId: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--resume") {
      i++;
      continue;
    }
    if (arg.startsWith("--resume=")) continue;
    kept.push(arg);
  }
  return ["hud", ...kept, "--resume", jobId].map(shellQuote).join(" ");
}

function shellQuote(arg: string): string {
  return SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
