import { describe, expect, it } from "vitest";
import { keepLive, type EventSourceLike, type LiveMode } from "./live";

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  message(data: string, id: string) {
    this.onmessage?.(new MessageEvent("message", { data, lastEventId: id }));
  }
  /** The server ended the stream: EventSource reconnects by itself. */
  dropped() {
    this.readyState = 0;
    this.onerror?.(new Event("error"));
  }
  /** The reconnect was refused (an expired ticket): EventSource gives up. */
  refused() {
    this.readyState = 2;
    this.onerror?.(new Event("error"));
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function harness(overrides: { maxFailures?: number; pollForMs?: number } = {}) {
  const sources: FakeEventSource[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const messages: string[] = [];
  const modes: LiveMode[] = [];
  let tickets = 0;
  let polls = 0;
  let clock = 0;
  const stop = keepLive({
    ticket: async () => `t${++tickets}`,
    url: (ticket, after) => `/stream?ticket=${ticket}&after=${after}`,
    poll: async () => {
      polls++;
    },
    onMessage: (data) => messages.push(data),
    onMode: (m) => modes.push(m),
    initialEventId: "s0",
    createEventSource: (url) => {
      const es = new FakeEventSource(url);
      sources.push(es);
      return es;
    },
    setTimer: (fn, ms) => {
      timers.push({ fn, ms });
      return timers.length;
    },
    clearTimer: () => undefined,
    now: () => clock,
    ...overrides,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    sources,
    timers,
    messages,
    modes,
    stop,
    flush,
    get polls() {
      return polls;
    },
    advance(ms: number) {
      clock += ms;
    },
    async runTimers() {
      for (const t of timers.splice(0)) t.fn();
      await flush();
    },
  };
}

describe("keepLive", () => {
  it("opens the stream with a ticket, resuming after the newest known notification", async () => {
    const h = harness();
    await h.flush();
    expect(h.sources.map((s) => s.url)).toEqual(["/stream?ticket=t1&after=s0"]);
    h.sources[0]?.open();
    h.sources[0]?.message('{"id":"n1"}', "s1");
    expect(h.messages).toEqual(['{"id":"n1"}']);
    expect(h.modes).toEqual(["connecting", "live"]);
    h.stop();
    expect(h.sources[0]?.closed).toBe(true);
  });

  it("leaves the reconnect after the server's bounded stream to EventSource", async () => {
    const h = harness();
    await h.flush();
    h.sources[0]?.open();
    h.sources[0]?.dropped();
    await h.runTimers();
    expect(h.sources).toHaveLength(1);
    h.stop();
  });

  it("opens a new EventSource with a fresh ticket and the last event id when a reconnect is refused", async () => {
    const h = harness();
    await h.flush();
    h.sources[0]?.open();
    h.sources[0]?.message("{}", "s7");
    h.sources[0]?.refused();
    await h.runTimers();
    expect(h.sources.map((s) => s.url)).toEqual(["/stream?ticket=t1&after=s0", "/stream?ticket=t2&after=s7"]);
    expect(h.sources[0]?.closed).toBe(true);
    h.stop();
  });

  it("polls when the stream keeps being refused, then tries the stream again", async () => {
    const h = harness({ maxFailures: 2, pollForMs: 30_000 });
    await h.flush();
    h.sources[0]?.refused();
    await h.runTimers();
    h.sources[1]?.refused();
    await h.flush();
    expect(h.modes).toContain("polling");
    expect(h.polls).toBe(1);
    h.advance(31_000);
    await h.runTimers();
    expect(h.sources).toHaveLength(3);
    h.stop();
  });

  it("polls when the browser has no EventSource", async () => {
    let polls = 0;
    const stop = keepLive({
      ticket: async () => "t",
      url: () => "/stream",
      poll: async () => {
        polls++;
      },
      onMessage: () => undefined,
      createEventSource: null,
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(polls).toBe(1);
    stop();
  });
});
