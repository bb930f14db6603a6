// The client of the `ssh/2` capability: run commands in an env's shell from the host.

export type {
  OpenSshShellOptions,
  SshExecOptions,
  SshExecResult,
  SshShell,
  SshShellBinding,
} from "./ssh-shell-client.js";
export { openSshShell } from "./ssh-shell-client.js";
