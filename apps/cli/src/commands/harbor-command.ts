import { z } from "zod";
import { parseOptions } from "../option-parsing.js";

/** `hud harbor check`'s options. */
export const HarborCheckOptionsSchema = z.object({ json: z.boolean().default(false) });

/** Exit code of a check that found errors: the command ran, the tasks did not pass. */
const EXIT_FINDINGS = 1;

/**
 * `hud harbor check <path>`: every finding of every Harbor task under `path`, one line each
 * with a stable code (`checkHarborPath`). Exit 0 when every task loads, 1 when some do not.
 */
export async function harborCheckCommand(path: string, raw: Record<string, unknown>): Promise<number> {
  const options = parseOptions(HarborCheckOptionsSchema, raw);
  const { checkHarborPath, formatHarborCheck } = await import("@hudkit/harbor");
  const report = await checkHarborPath(path);
  const text = options.json ? JSON.stringify(report, null, 2) : formatHarborCheck(report).join("\n");
  process.stdout.write(`${text}\n`);
  return report.ok ? 0 : EXIT_FINDINGS;
}
