/**
 * What a task's `tasks.start` said to the agent: a string, a list of chat turns
 * (`{role, content}` objects), or `null` when the template yielded no prompt.
 *
 * @example
 * ```ts
 * const prompt: Prompt = [{ role: "system", content: "Be terse." }, { role: "user", content: "2+2?" }];
 * ```
 */
export type Prompt = string | readonly unknown[] | null;

/**
 * One content block of a prompt message, MCP style: `{type: "text", text}` or any other block
 * (`{type: "image", data, mimeType}`, ...) as the env sent it.
 *
 * @example
 * ```ts
 * const block: ContentBlock = { type: "text", text: "How many r's in strawberry?" };
 * ```
 */
export interface ContentBlock {
  readonly type: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

/**
 * A prompt turn as agents consume it (the reference's `PromptMessage`): only `user` and
 * `assistant` roles, one content block each.
 *
 * @example
 * ```ts
 * const message: PromptMessage = { role: "user", content: { type: "text", text: "hi" } };
 * ```
 */
export interface PromptMessage {
  readonly role: "user" | "assistant";
  readonly content: ContentBlock;
}

/**
 * Reads the `prompt` of a start frame. Strings, lists and `null` are kept; a missing prompt is
 * `null`; any other JSON value (a number, an object) becomes its JSON text, so `Prompt` stays a
 * small closed type. The whole frame is still in the trace's setup step.
 *
 * @example
 * ```ts
 * toPrompt(42); // "42"
 * ```
 */
export function toPrompt(wire: unknown): Prompt {
  if (wire === undefined || wire === null) return null;
  if (typeof wire === "string" || Array.isArray(wire)) return wire;
  return JSON.stringify(wire) ?? String(wire);
}

/**
 * The prompt as messages, the way the reference's `prompt_messages` reads it: a string (or no
 * prompt) is one user text turn; each object turn keeps the `assistant` role and becomes `user`
 * otherwise (system turns included); string content is wrapped as a text block; a list of
 * blocks gives one message per block; anything else is stringified into a user text turn.
 *
 * @example
 * ```ts
 * promptMessages("hi"); // [{ role: "user", content: { type: "text", text: "hi" } }]
 * ```
 */
export function promptMessages(prompt: Prompt): PromptMessage[] {
  if (prompt === null || typeof prompt === "string") return [userText(prompt ?? "")];
  const messages: PromptMessage[] = [];
  for (const turn of prompt) {
    if (!isObject(turn)) {
      messages.push(userText(stringify(turn)));
      continue;
    }
    const role = turn.role === "assistant" ? "assistant" : "user";
    const contents = Array.isArray(turn.content) ? turn.content : [turn.content];
    for (const content of contents) messages.push({ role, content: toBlock(content) });
  }
  return messages;
}

/**
 * The text of the prompt messages joined with blank lines; non-text blocks are left out.
 *
 * @example
 * ```ts
 * promptText(promptMessages([{ role: "user", content: "a" }, { role: "user", content: "b" }])); // "a\n\nb"
 * ```
 */
export function promptText(messages: readonly PromptMessage[]): string {
  return messages
    .filter((message) => message.content.type === "text" && typeof message.content.text === "string")
    .map((message) => message.content.text)
    .join("\n\n");
}

function toBlock(content: unknown): ContentBlock {
  if (typeof content === "string") return { type: "text", text: content };
  if (isObject(content) && typeof content.type === "string") return content as ContentBlock;
  return { type: "text", text: stringify(content) };
}

function userText(text: string): PromptMessage {
  return { role: "user", content: { type: "text", text } };
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
