#!/usr/bin/env node
/**
 * Serves one environment file for child-process runtimes:
 * `hudkit-serve-env <file>[:name] [--host 127.0.0.1] [--port 0] [--max-frame-bytes N]`.
 * Prints `HUD_SERVE_PORT=<port>` once listening; SIGTERM runs the shutdown hooks.
 */
import { loadEnvironment } from "../environment/load-environment.js";
import { HudkitError } from "../errors/hudkit-error.js";
import { serve } from "../protocol/serve.js";

const USAGE = "usage: hudkit-serve-env <env-file>[:name] [--host 127.0.0.1] [--port 0] [--max-frame-bytes N]";

interface Args {
  file: string;
  name: string | undefined;
  host: string;
  port: number;
  maxFrameBytes: number | undefined;
}

function parseArgs(argv: string[]): Args {
  let target: string | undefined;
  let host = "127.0.0.1";
  let port = 0;
  let maxFrameBytes: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new HudkitError("usage", `${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--host") host = value();
    else if (arg === "--port") port = integer(arg, value());
    else if (arg === "--max-frame-bytes") maxFrameBytes = integer(arg, value());
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (target === undefined && !arg.startsWith("-")) target = arg;
    else throw new HudkitError("usage", `unexpected argument ${arg}\n${USAGE}`);
  }
  if (target === undefined) throw new HudkitError("usage", USAGE);
  // `file.ts:name` selects one environment; a Windows drive letter is not a name.
  const colon = target.lastIndexOf(":");
  const hasName = colon > 1;
  return {
    file: hasName ? target.slice(0, colon) : target,
    name: hasName ? target.slice(colon + 1) : undefined,
    host,
    port,
    maxFrameBytes,
  };
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new HudkitError("usage", `${flag} must be a non-negative integer`);
  return value;
}

try {
  const args = parseArgs(process.argv.slice(2));
  const env = await loadEnvironment(args.file, { name: args.name });
  await serve(env, { host: args.host, port: args.port, maxFrameBytes: args.maxFrameBytes });
  process.exit(0);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hudkit-serve-env: ${message}\n`);
  if (process.env.HUDKIT_VERBOSE && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(HudkitError.isInstance(error) ? 2 : 1);
}
