import net from "node:net";
import WebSocket from "ws";

/**
 * One client connection of a replay, over TCP (newline-delimited frames, raw bytes) or over
 * WebSocket (one JSON object per text message). Failures are thrown as {@link ConnectionFailure}
 * and carry what was buffered, so a replay can say what the server sent instead.
 */
export interface ReplayConnection {
  /** TCP: the UTF-8 bytes of `text` plus `\n`, in one write. WebSocket: one text message. */
  sendLine(text: string): Promise<void>;
  /** TCP only: the UTF-8 bytes of `text`, in one write, nothing added. */
  sendBytes(text: string): Promise<void>;
  /** TCP only: shuts down the write side (FIN) and keeps reading. */
  halfClose(): Promise<void>;
  /** TCP: one line without its `\n`. WebSocket: one text message. */
  readLine(timeoutMs: number): Promise<string>;
  /** TCP only: exactly `count` bytes, however they are segmented. */
  readBytes(count: number, timeoutMs: number): Promise<Buffer>;
  /** The server closes the connection (a clean FIN / a close frame) with nothing unread before it. */
  expectClose(timeoutMs: number): Promise<void>;
  /** What arrived and was not read yet, described; `undefined` when nothing did. */
  unread(): string | undefined;
  /** Closes the connection completely from the client side. */
  close(): Promise<void>;
}

/** A connection-level failure: a timeout, an early close, a reset, or unexpected data. */
export class ConnectionFailure extends Error {
  override name = "ConnectionFailure";
}

const DECODER = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Renders received bytes for a failure message, cut to `max` characters. */
export function describeBytes(bytes: Buffer, max = 400): string {
  const text = DECODER.decode(bytes);
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return `${bytes.length} bytes: ${JSON.stringify(shown)}`;
}

type Waiter = () => void;

/** Resolves when `ready()` holds (checked on every wake-up), or rejects after `timeoutMs`. */
function waitUntil(
  ready: () => boolean,
  waiters: Set<Waiter>,
  timeoutMs: number,
  onTimeout: () => string,
): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check: Waiter = () => {
      if (!ready()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new ConnectionFailure(onTimeout()));
    }, timeoutMs);
    waiters.add(check);
  });
}

function wakeAll(waiters: Set<Waiter>): void {
  for (const waiter of [...waiters]) waiter();
}

/** A TCP connection to the control port. */
export class TcpReplayConnection implements ReplayConnection {
  readonly #socket: net.Socket;
  readonly #waiters = new Set<Waiter>();
  #buffer: Buffer = Buffer.alloc(0);
  #eof = false;
  #closed = false;
  #error: Error | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      wakeAll(this.#waiters);
    });
    socket.on("end", () => {
      this.#eof = true;
      wakeAll(this.#waiters);
    });
    socket.on("error", (error) => {
      this.#error = error;
      wakeAll(this.#waiters);
    });
    socket.on("close", () => {
      this.#closed = true;
      wakeAll(this.#waiters);
    });
  }

  static open(port: number, host = "127.0.0.1", timeoutMs = 5_000): Promise<TcpReplayConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionFailure(`could not connect to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeListener("error", onError);
        resolve(new TcpReplayConnection(socket));
      });
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(new ConnectionFailure(`could not connect to ${host}:${port}: ${error.message}`));
      };
      socket.once("error", onError);
    });
  }

  sendLine(text: string): Promise<void> {
    return this.#write(Buffer.from(`${text}\n`, "utf8"));
  }

  sendBytes(text: string): Promise<void> {
    return this.#write(Buffer.from(text, "utf8"));
  }

  halfClose(): Promise<void> {
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  async readLine(timeoutMs: number): Promise<string> {
    await waitUntil(
      () => this.#buffer.includes(0x0a) || this.#eof || this.#closed || this.#error !== undefined,
      this.#waiters,
      timeoutMs,
      () => `no complete line within ${timeoutMs} ms${this.#bufferedNote()}`,
    );
    const index = this.#buffer.indexOf(0x0a);
    if (index === -1)
      throw new ConnectionFailure(`${this.#endNote()} before a complete line${this.#bufferedNote()}`);
    const line = this.#buffer.subarray(0, index);
    this.#buffer = this.#buffer.subarray(index + 1);
    return DECODER.decode(line);
  }

  async readBytes(count: number, timeoutMs: number): Promise<Buffer> {
    await waitUntil(
      () => this.#buffer.length >= count || this.#eof || this.#closed || this.#error !== undefined,
      this.#waiters,
      timeoutMs,
      () => `expected ${count} bytes within ${timeoutMs} ms${this.#bufferedNote()}`,
    );
    if (this.#buffer.length < count) {
      throw new ConnectionFailure(
        `${this.#endNote()} after ${this.#buffer.length} of ${count} bytes${this.#bufferedNote()}`,
      );
    }
    const bytes = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return bytes;
  }

  async expectClose(timeoutMs: number): Promise<void> {
    await waitUntil(
      () => this.#buffer.length > 0 || this.#eof || this.#closed || this.#error !== undefined,
      this.#waiters,
      timeoutMs,
      () => `the server did not close the connection within ${timeoutMs} ms`,
    );
    if (this.#buffer.length > 0) {
      throw new ConnectionFailure(
        `expected the server to close the connection, got ${describeBytes(this.#buffer)}`,
      );
    }
    if (this.#error) throw new ConnectionFailure(`expected a clean close (FIN), got ${this.#error.message}`);
  }

  unread(): string | undefined {
    return this.#buffer.length > 0 ? describeBytes(this.#buffer) : undefined;
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      this.#socket.destroy();
    });
  }

  #write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error) => {
        if (error) reject(new ConnectionFailure(`write failed: ${error.message}`));
        else resolve();
      });
    });
  }

  #endNote(): string {
    if (this.#error) return `the connection failed (${this.#error.message})`;
    return "the server closed the connection";
  }

  #bufferedNote(): string {
    const state = this.#error ? ", connection failed" : this.#eof ? ", server closed" : "";
    return this.#buffer.length > 0
      ? ` (buffered ${describeBytes(this.#buffer)}${state})`
      : state
        ? ` (${state.slice(2)})`
        : "";
  }
}

interface WsMessage {
  text: string;
  binary: boolean;
}

/** A WebSocket control session on `ws://host:port/`. */
export class WsReplayConnection implements ReplayConnection {
  readonly #ws: WebSocket;
  readonly #waiters = new Set<Waiter>();
  readonly #messages: WsMessage[] = [];
  #closed: { code: number; reason: string } | undefined;
  #error: Error | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: WebSocket.RawData, binary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.#messages.push({ text: DECODER.decode(bytes), binary });
      wakeAll(this.#waiters);
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.#closed = { code, reason: reason.toString("utf8") };
      wakeAll(this.#waiters);
    });
    ws.on("error", (error: Error) => {
      this.#error = error;
      wakeAll(this.#waiters);
    });
  }

  static open(url: string, timeoutMs = 5_000): Promise<WsReplayConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
      const onError = (error: Error) => reject(new ConnectionFailure(`WebSocket ${url}: ${error.message}`));
      ws.once("error", onError);
      ws.once("unexpected-response", (_request, response) => {
        reject(new ConnectionFailure(`WebSocket ${url}: upgrade refused with HTTP ${response.statusCode}`));
        ws.terminate();
      });
      ws.once("open", () => {
        ws.removeListener("error", onError);
        resolve(new WsReplayConnection(ws));
      });
    });
  }

  sendLine(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#ws.send(text, { binary: false }, (error) => {
        if (error) reject(new ConnectionFailure(`WebSocket send failed: ${error.message}`));
        else resolve();
      });
    });
  }

  sendBytes(): Promise<void> {
    return Promise.reject(
      new ConnectionFailure("send_bytes has no WebSocket form: run this case over TCP only"),
    );
  }

  halfClose(): Promise<void> {
    return Promise.reject(
      new ConnectionFailure("half_close has no WebSocket form: run this case over TCP only"),
    );
  }

  async readLine(timeoutMs: number): Promise<string> {
    await waitUntil(
      () => this.#messages.length > 0 || this.#closed !== undefined || this.#error !== undefined,
      this.#waiters,
      timeoutMs,
      () => `no WebSocket message within ${timeoutMs} ms`,
    );
    const message = this.#messages.shift();
    if (!message) throw new ConnectionFailure(`${this.#endNote()} before a message arrived`);
    if (message.binary)
      throw new ConnectionFailure(
        `expected a text message, got a binary one: ${JSON.stringify(message.text)}`,
      );
    return message.text;
  }

  readBytes(): Promise<Buffer> {
    return Promise.reject(
      new ConnectionFailure("expect_bytes has no WebSocket form: run this case over TCP only"),
    );
  }

  async expectClose(timeoutMs: number): Promise<void> {
    await waitUntil(
      () => this.#messages.length > 0 || this.#closed !== undefined || this.#error !== undefined,
      this.#waiters,
      timeoutMs,
      () => `the server did not close the WebSocket within ${timeoutMs} ms`,
    );
    if (this.#messages.length > 0) {
      throw new ConnectionFailure(
        `expected the server to close the WebSocket, got the message ${this.unread()}`,
      );
    }
    if (!this.#closed && this.#error)
      throw new ConnectionFailure(`expected a clean close, got ${this.#error.message}`);
  }

  unread(): string | undefined {
    if (this.#messages.length === 0) return undefined;
    return this.#messages.map((message) => JSON.stringify(message.text.slice(0, 400))).join(", ");
  }

  close(): Promise<void> {
    if (this.#closed || this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 1_000);
      this.#ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close(1000);
    });
  }

  #endNote(): string {
    if (this.#closed) return `the server closed the WebSocket (code ${this.#closed.code})`;
    return `the WebSocket failed (${this.#error?.message})`;
  }
}
