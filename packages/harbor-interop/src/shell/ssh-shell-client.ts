import {
  type SshShell as CoreSshShell,
  HudkitError,
  type OpenSshShellOptions,
  openSshShell as openCoreSshShell,
  type SshShellBinding,
} from "@hudkit/core";
import { packFolder } from "../container/tar-folder.js";
import { shellQuote } from "../shell-quote.js";

// The client itself lives in @hudkit/core (the older API's bash action needs it there); these
// names are re-exported so that importing them from @hudkit/harbor keeps working.
export type { OpenSshShellOptions, SshExecOptions, SshShellBinding } from "@hudkit/core";

/**
 * An SSH connection to a `shell` capability, for agents running on the host: the core client
 * plus {@link SshShell.upload}, which needs the tar packer that only this package carries.
 *
 * @example
 * ```ts
 * await using shell = await openSshShell(binding);
 * await shell.upload("./skills", "/home/agent/skills");
 * const { exitCode, stdout } = await shell.exec("ls /home/agent/skills");
 * ```
 */
export interface SshShell extends CoreSshShell {
  /**
   * Copies the contents of `localDir` into `remoteDir` (created if missing) with file modes kept,
   * as a tar stream into `tar -x` on the remote side. Needs `tar` there.
   */
  upload(localDir: string, remoteDir: string): Promise<void>;
}

/**
 * Connects to the SSH server a `shell` capability binding names (see `openSshShell` in
 * `@hudkit/core` for the checks and errors) and adds `upload`.
 *
 * @example
 * ```ts
 * const binding = (await client.hello()).bindings.find((b) => b.protocol === "ssh/2")!;
 * await using shell = await openSshShell(binding, { readyTimeoutMs: 10_000 });
 * const { stdout } = await shell.exec("uname -a");
 * ```
 */
export async function openSshShell(
  binding: SshShellBinding,
  options: OpenSshShellOptions = {},
): Promise<SshShell> {
  const shell = await openCoreSshShell(binding, options);
  return {
    exec: (command, execOptions) => shell.exec(command, execOptions),
    upload: async (localDir, remoteDir) => {
      const dir = shellQuote(remoteDir);
      const result = await shell.exec(`mkdir -p -- ${dir} && tar -x -C ${dir}`, {
        stdin: packFolder(localDir),
      });
      if (result.exitCode !== 0) {
        throw new HudkitError(
          "ssh-upload-failed",
          `upload of ${localDir} to ${remoteDir} failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
        );
      }
    },
    close: () => shell.close(),
    [Symbol.asyncDispose]: () => shell.close(),
  };
}
