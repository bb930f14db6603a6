import { fileURLToPath } from "node:url";

/**
 * The CLI package's own directory, where runtime plugins installed beside a global `hud` are
 * resolved after the project's (`npm i -g @hudkit/cli @hudkit/runtime-e2b`). Every module of
 * the CLI is bundled one level below it, into `dist/`.
 */
export const CLI_DIR = fileURLToPath(new URL("..", import.meta.url));
