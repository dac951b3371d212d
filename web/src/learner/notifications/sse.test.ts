import { describe, expect, it } from "vitest";
import { keepStreaming, SseParser, type SseMessage, type StreamMode } from "./sse";

describe("SseParser", () => {
  it("parses events, ids, multi-line data, comments and retry", () => {
    const parser = new SseParser();
    const out = parser.push("retry: 3000\n\n: keep-alive\n\nid: 7\ndata: {\"a\":1}\n\nevent: x\ndata: one\ndata: two\n\n");
    expect(parser.retry).toBe(3000);
    expect(out).toEqual([
      { id: "7", event: "message", data: '{"a":1}' },
      { id: "7", event: "x", data: "one\ntwo" },
    ]);
    expect(parser.lastEventId).toBe("7");
  });

  it("handles chunks split anywhere, including between \\r and \\n", () => {
    const parser = new SseParser();
    const text = "id: 1\r\ndata: hello\r\n\r\nid: 2\r\ndata: world\r\n\r\n";
    const out: SseMessage[] = [];
    for (const ch of text) out.push(...parser.push(ch));
    expect(out.map((m) => [m.id, m.data])).toEqual([
      ["1", "hello"],
      ["2", "world"],
    ]);
  });

  it("does not dispatch an event without data but keeps its id", () => {
    const parser = new SseParser();
    expect(parser.push("id: 9\n\n")).toEqual([]);
    expect(parser.lastEventId).toBe("9");
  });
});

function streamResponse(text: string, status = 200, type = "text/event-stream"): Response {
  return new Response(new Blob([text]).stream(), { status, headers: { "content-type": type } });
}

async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
}

describe("keepStreaming", () => {
  it("reconnects with the last event id after the server ends the stream", async () => {
    const opened: string[] = [];
    const messages: string[] = [];
    const bodies = ["retry: 10\n\nid: a1\ndata: first\n\n", "id: a2\ndata: second\n\n"];
    const stop = keepStreaming({
      initialEventId: "a0",
      open: async (lastEventId) => {
        opened.push(lastEventId);
        return streamResponse(bodies.shift() ?? "");
      },
      poll: async () => undefined,
      onMessage: (m) => messages.push(m.data),
      sleep: () => new Promise((r) => setTimeout(r, 0)),
    });
    await until(() => opened.length >= 3);
    stop();
    expect(opened.slice(0, 3)).toEqual(["a0", "a1", "a2"]);
    expect(messages).toEqual(["first", "second"]);
  });

  it("falls back to polling when the stream keeps failing, then tries the stream again", async () => {
    let opens = 0;
    let polls = 0;
    const modes: StreamMode[] = [];
    const stop = keepStreaming({
      open: async () => {
        opens++;
        return streamResponse("nope", 503, "application/problem+json");
      },
      poll: async () => {
        polls++;
      },
      onMessage: () => undefined,
      onMode: (m) => modes.push(m),
      maxFailures: 2,
      streamRetryMs: 0,
      sleep: () => new Promise((r) => setTimeout(r, 0)),
    });
    await until(() => opens >= 4);
    stop();
    expect(modes).toContain("polling");
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(opens).toBeGreaterThanOrEqual(3);
  });
});
