/**
 * Live notifications through the browser's EventSource. EventSource cannot send the bearer token,
 * so each connection opens with a short-lived stream ticket (`POST .../stream-tickets`, then
 * `GET .../stream?ticket=`). The API ends each stream after at most 55 s; EventSource reconnects by
 * itself with `Last-Event-ID`. Once the ticket has expired that reconnect is refused, and a new
 * EventSource is opened with a fresh ticket and `?after=` the last event id, so nothing is missed
 * or repeated. When the stream keeps failing (or the browser has no EventSource) the list is
 * polled instead for a while, and then the stream is tried again.
 */

export type LiveMode = "connecting" | "live" | "polling" | "stopped";

/** What this module uses of EventSource (the browser's, or a fake in tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent<string>) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;

export interface LiveOptions {
  /** A new stream ticket (taken with the bearer token). */
  ticket(): Promise<string>;
  /** The stream's URL for a ticket, resuming after `after` (empty: from the server's start). */
  url(ticket: string, after: string): string;
  /** One read of the list, when the stream cannot be used. */
  poll(): Promise<void>;
  onMessage(data: string, id: string): void;
  onMode?(mode: LiveMode): void;
  initialEventId?: string;
  createEventSource?: EventSourceFactory | null;
  /** Refused or failed connections in a row before polling takes over. */
  maxFailures?: number;
  pollIntervalMs?: number;
  /** How long polling lasts before the stream is tried again. */
  pollForMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
}

function browserEventSource(): EventSourceFactory | null {
  return typeof EventSource === "undefined" ? null : (url) => new EventSource(url);
}

/** Keeps the notifications live until the returned function is called. */
export function keepLive(options: LiveOptions): () => void {
  const create = options.createEventSource === undefined ? browserEventSource() : options.createEventSource;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = options.now ?? Date.now;
  const maxFailures = options.maxFailures ?? 3;
  const pollInterval = options.pollIntervalMs ?? 15_000;
  const pollFor = options.pollForMs ?? 120_000;
  let lastEventId = options.initialEventId ?? "";
  let source: EventSourceLike | null = null;
  let timer: unknown = null;
  let failures = 0;
  let stopped = false;

  const mode = (m: LiveMode) => options.onMode?.(m);
  const later = (fn: () => void, ms: number) => {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(() => {
      timer = null;
      if (!stopped) fn();
    }, ms);
  };

  function failed(): void {
    if (stopped) return;
    failures += 1;
    if (failures >= maxFailures || !create) startPolling();
    else later(open, 1000 * failures);
  }

  function startPolling(): void {
    mode("polling");
    const until = now() + pollFor;
    const round = () => {
      void options
        .poll()
        .catch(() => undefined)
        .finally(() => {
          if (stopped) return;
          if (now() < until || !create) later(round, pollInterval);
          else {
            failures = 0;
            open();
          }
        });
    };
    round();
  }

  function open(): void {
    if (stopped) return;
    if (!create) {
      startPolling();
      return;
    }
    mode("connecting");
    options.ticket().then(
      (ticket) => {
        if (stopped) return;
        const es = create(options.url(ticket, lastEventId));
        source = es;
        es.onopen = () => {
          failures = 0;
          mode("live");
        };
        es.onmessage = (event) => {
          if (event.lastEventId) lastEventId = event.lastEventId;
          options.onMessage(event.data, event.lastEventId);
        };
        es.onerror = () => {
          if (source !== es) return;
          if (es.readyState === CLOSED) {
            // Refused (an expired ticket, a 401 or 5xx): EventSource gives up; open a new one.
            es.close();
            source = null;
            failed();
          } else {
            mode("connecting"); // EventSource reconnects by itself with Last-Event-ID.
          }
        };
      },
      () => failed(),
    );
  }

  open();
  return () => {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    source?.close();
    source = null;
    mode("stopped");
  };
}
