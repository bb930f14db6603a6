import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { HudkitError, ProviderAuthError, readCredentials, vendorError } from "@hudkit/core";
import type { App, Image, ModalClient, ModalClientParams, Sandbox } from "modal";

/** The Modal app sandboxes are created in when no `app` is given (the reference's default). */
export const DEFAULT_APP_NAME = "hud-envs";
/** The prefix of an image given by its Modal image id rather than a registry reference. */
export const IMAGE_ID_PREFIX = "modal://";

const CREDENTIAL_NAMES = ["MODAL_TOKEN_ID", "MODAL_TOKEN_SECRET"] as const;

/** How to reach Modal: an existing client, or the parameters of one this package creates. */
export interface ModalConnectionSettings
  extends Pick<ModalClientParams, "tokenId" | "tokenSecret" | "environment"> {
  client?: ModalClient;
}

/** Where an image comes from: a registry reference, or an image already on Modal. */
export type ImageSource = { kind: "registry"; ref: string } | { kind: "id"; id: string };

/**
 * Reads `--runtime modal:<image>` / `runtime_config.image`: `modal://<image-id>` is an image
 * already on Modal (`images.fromId`), anything else a registry reference (`images.fromRegistry`).
 *
 * @example
 * ```ts
 * parseImageRef("modal://im-1a2b3c"); // { kind: "id", id: "im-1a2b3c" }
 * parseImageRef("ghcr.io/acme/letter-count:1"); // { kind: "registry", ref: "ghcr.io/acme/letter-count:1" }
 * ```
 */
export function parseImageRef(image: string): ImageSource {
  if (!image.startsWith(IMAGE_ID_PREFIX)) return { kind: "registry", ref: image };
  const id = image.slice(IMAGE_ID_PREFIX.length);
  if (id === "" || id.includes("/")) {
    throw new HudkitError(
      "invalid-options",
      `modal: ${JSON.stringify(image)} is not an image id: write modal://<image-id> (e.g. modal://im-1a2b3c) or a registry reference`,
    );
  }
  return { kind: "id", id };
}

/**
 * One lazily created {@link ModalClient} shared by a provider's rollouts, closed when the last
 * live acquisition lets go: a provider has no close hook of its own, and the SDK asks that
 * clients be closed so its gRPC channels do not keep the process alive. A client passed in the
 * settings belongs to the caller and is never closed here. The app and images are looked up
 * once per client, since they are bound to it.
 */
export class ModalConnection {
  readonly #settings: ModalConnectionSettings;
  readonly #appName: string;
  #client: Promise<ModalClient> | undefined;
  #live = 0;
  #app: Promise<App> | undefined;
  readonly #images = new Map<string, Promise<Image>>();

  constructor(settings: ModalConnectionSettings, appName: string = DEFAULT_APP_NAME) {
    this.#settings = settings;
    this.#appName = appName;
  }

  /** The client, counted as live until {@link release}. Credentials are checked on creation. */
  async open(): Promise<ModalClient> {
    this.#live += 1;
    try {
      this.#client ??= createModalClient(this.#settings);
      return await this.#client;
    } catch (error) {
      this.#client = undefined;
      this.#live -= 1;
      throw error;
    }
  }

  /** Lets go of one {@link open}; the last one closes a client this connection created. */
  release(): void {
    this.#live -= 1;
    if (this.#live > 0 || this.#settings.client !== undefined) return;
    const client = this.#client;
    this.#client = undefined;
    this.#app = undefined;
    this.#images.clear();
    void client?.then((opened) => opened.close()).catch(() => {});
  }

  /** The app sandboxes go in, created on first use. */
  app(client: ModalClient): Promise<App> {
    this.#app ??= client.apps
      .fromName(this.#appName, { createIfMissing: true, ...environmentOf(this.#settings) })
      .catch((error: unknown) => {
        this.#app = undefined;
        throw modalError(`looking up app ${this.#appName}`, error);
      });
    return this.#app;
  }

  /** The image for a reference; a registry image is built (pulled) by Modal at sandbox creation. */
  image(client: ModalClient, image: string): Promise<Image> {
    let found = this.#images.get(image);
    if (found === undefined) {
      const source = parseImageRef(image);
      found =
        source.kind === "id"
          ? client.images.fromId(source.id).catch((error: unknown) => {
              this.#images.delete(image);
              throw modalError(`looking up image ${source.id}`, error);
            })
          : Promise.resolve(client.images.fromRegistry(source.ref));
      this.#images.set(image, found);
    }
    return found;
  }
}

/**
 * A client from the settings, or a new one once credentials are known to exist: explicit
 * tokens, `MODAL_TOKEN_ID` and `MODAL_TOKEN_SECRET`, or a `~/.modal.toml` profile (which the SDK
 * reads itself). The SDK is imported here, not at module load, so that loading the plugin costs
 * nothing until Modal is used.
 */
export async function createModalClient(settings: ModalConnectionSettings): Promise<ModalClient> {
  if (settings.client !== undefined) return settings.client;
  checkCredentials(settings);
  const { ModalClient } = await import("modal");
  try {
    return new ModalClient({
      ...(settings.tokenId !== undefined ? { tokenId: settings.tokenId } : {}),
      ...(settings.tokenSecret !== undefined ? { tokenSecret: settings.tokenSecret } : {}),
      ...environmentOf(settings),
    });
  } catch (error) {
    throw modalError("creating a client", error);
  }
}

function checkCredentials(settings: ModalConnectionSettings): void {
  const env = process.env;
  const tokens = {
    MODAL_TOKEN_ID: settings.tokenId ?? env.MODAL_TOKEN_ID,
    MODAL_TOKEN_SECRET: settings.tokenSecret ?? env.MODAL_TOKEN_SECRET,
  };
  if ((tokens.MODAL_TOKEN_ID && tokens.MODAL_TOKEN_SECRET) || existsSync(modalConfigPath())) return;
  try {
    readCredentials("modal", CREDENTIAL_NAMES, tokens);
  } catch (error) {
    if (!ProviderAuthError.isInstance(error)) throw error;
    throw new ProviderAuthError(
      "modal",
      "missing-credentials",
      `${error.message}, or create ~/.modal.toml with \`modal token new\``,
    );
  }
}

/** Where the SDK looks for its profile file. */
function modalConfigPath(): string {
  return process.env.MODAL_CONFIG_PATH || join(homedir(), ".modal.toml");
}

function environmentOf(settings: ModalConnectionSettings): { environment?: string } {
  return settings.environment !== undefined ? { environment: settings.environment } : {};
}

/** gRPC status codes (nice-grpc `Status`), which the SDK lets through on most calls. */
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

function grpcCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const record = error as Record<string, unknown>;
  // nice-grpc marks its ClientError so that copies from different versions are recognised.
  const isClientError = record["@@nice-grpc:ClientError"] === true || record.name === "ClientError";
  return isClientError && typeof record.code === "number" ? record.code : undefined;
}

/**
 * Modal refused the credentials: a gRPC `UNAUTHENTICATED` or `PERMISSION_DENIED`, or the SDK's
 * own complaint that the profile it found has no tokens.
 *
 * @example
 * ```ts
 * try { await modal.sandboxes.create(app, image) } catch (error) { throw vendorError("modal", "creating a sandbox", error, isModalAuthError) }
 * ```
 */
export function isModalAuthError(error: unknown): boolean {
  const code = grpcCode(error);
  if (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED) return true;
  return error instanceof Error && error.message.startsWith("Profile is missing credentials");
}

/** The sandbox no longer exists (terminated, timed out, or pruned): nothing left to clean up. */
export function isModalNotFound(error: unknown): boolean {
  return (error instanceof Error && error.name === "NotFoundError") || grpcCode(error) === GRPC_NOT_FOUND;
}

/** A Modal error as a {@link HudkitError} saying what was being done, its cause kept. */
export function modalError(action: string, error: unknown): HudkitError {
  return vendorError("modal", action, error, isModalAuthError);
}

/** Terminates a sandbox; one that is already gone is not an error. */
export async function terminateSandbox(sandbox: Sandbox): Promise<void> {
  try {
    await sandbox.terminate();
  } catch (error) {
    if (!isModalNotFound(error)) throw modalError(`terminating sandbox ${sandbox.sandboxId}`, error);
  }
}
