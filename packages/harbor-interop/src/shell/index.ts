export {
  type OpenSshShellOptions,
  openSshShell,
  type SshExecOptions,
  type SshShell,
  type SshShellBinding,
} from "./ssh-shell-client.js";
export { type SshShellServer, type SshShellServerOptions, startSshShellServer } from "./ssh-shell-server.js";
