/**
 * Server-sent events over fetch. The notification stream needs the bearer token, and the browser's
 * EventSource cannot send an Authorization header, so this reads `text/event-stream` with fetch and
 * behaves as EventSource does: it parses events per the HTML standard, remembers the last event id,
 * honours `retry:`, and reconnects with `Last-Event-ID` when the server ends the bounded stream
 * (the API ends it after at most 55 s). After repeated failures it falls back to polling, and keeps
 * trying the stream again now and then.
 */

export interface SseMessage {
  id: string;
  event: string;
  data: string;
}

/** The incremental parser of an event stream (https://html.spec.whatwg.org/#event-stream-interpretation). */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private pendingId: string | null = null;
  /** The last event id seen (persists across events, as in EventSource). */
  lastEventId = "";
  /** A `retry:` value in milliseconds, once the server sent one. */
  retry: number | null = null;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.event = value;
        break;
      case "id":
        if (!value.includes("\u0000")) this.pendingId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    if (this.pendingId !== null) this.lastEventId = this.pendingId;
    this.pendingId = null;
    if (this.data.length === 0) {
      this.event = "";
      return null;
    }
    const message = { id: this.lastEventId, event: this.event || "message", data: this.data.join("\n") };
    this.data = [];
    this.event = "";
    return message;
  }
}

export type StreamMode = "connecting" | "live" | "polling" | "stopped";

export interface StreamOptions {
  /** Opens the stream; `lastEventId` is sent as the Last-Event-ID header when set. */
  open(lastEventId: string, signal: AbortSignal): Promise<Response>;
  /** One poll of the list when the stream cannot be used; returns the newest event id it saw. */
  poll(): Promise<void>;
  onMessage(message: SseMessage): void;
  onMode?(mode: StreamMode): void;
  initialEventId?: string;
  /** Failures in a row (without an event) before polling takes over. */
  maxFailures?: number;
  pollIntervalMs?: number;
  /** How long polling lasts before the stream is tried again. */
  streamRetryMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Keeps a stream open until stopped. Returns a stop function. */
export function keepStreaming(options: StreamOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const sleep = options.sleep ?? abortableSleep;
  const maxFailures = options.maxFailures ?? 3;
  const pollInterval = options.pollIntervalMs ?? 15_000;
  const streamRetry = options.streamRetryMs ?? 120_000;
  let lastEventId = options.initialEventId ?? "";
  let retryMs = 3_000;
  const mode = (m: StreamMode) => options.onMode?.(m);

  async function streamOnce(): Promise<boolean> {
    const response = await options.open(lastEventId, signal);
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !type.includes("text/event-stream") || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`event stream unavailable (${response.status})`);
    }
    mode("live");
    const parser = new SseParser();
    parser.lastEventId = lastEventId;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let received = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const message of parser.push(value)) {
          lastEventId = message.id || lastEventId;
          received = true;
          options.onMessage(message);
        }
        if (parser.retry !== null) retryMs = parser.retry;
      }
    } finally {
      reader.releaseLock();
    }
    lastEventId = parser.lastEventId || lastEventId;
    return received;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        mode("connecting");
        await streamOnce();
        // The server ended the bounded stream: reconnect after its retry hint, like EventSource.
        failures = 0;
        await sleep(retryMs, signal);
      } catch {
        if (signal.aborted) break;
        failures += 1;
        if (failures < maxFailures) {
          await sleep(retryMs * failures, signal);
          continue;
        }
        // The stream keeps failing: poll the list instead, then try the stream again.
        mode("polling");
        const until = Date.now() + streamRetry;
        do {
          await options.poll().catch(() => undefined);
          await sleep(pollInterval, signal);
        } while (!signal.aborted && Date.now() < until);
        failures = 0;
      }
    }
    mode("stopped");
  }

  void run();
  return () => controller.abort();
}
