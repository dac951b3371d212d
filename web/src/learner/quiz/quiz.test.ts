import { describe, expect, it } from "vitest";
import { AnswerSaver, type Answers, type SaveState } from "./saver";
import { secondsLeft, serverOffsetMs } from "./timing";

describe("quiz timing", () => {
  it("counts down to the server's deadline using the server's clock", () => {
    const local = Date.parse("2026-01-01T10:00:00Z");
    // The local clock is two minutes behind the server.
    const offset = serverOffsetMs("Thu, 01 Jan 2026 10:02:00 GMT", local);
    expect(offset).toBe(120_000);
    expect(secondsLeft("2026-01-01T10:05:00+00:00", local, offset)).toBe(180);
  });
  it("ignores a missing or sub-second Date header and never goes negative", () => {
    expect(serverOffsetMs(null, 0)).toBe(0);
    expect(serverOffsetMs("Thu, 01 Jan 2026 10:00:01 GMT", Date.parse("2026-01-01T10:00:00.5Z"))).toBe(0);
    expect(secondsLeft("2026-01-01T10:00:00Z", Date.parse("2026-01-01T10:00:30Z"), 0)).toBe(0);
  });
});

function timers() {
  const list: { fn: () => void; id: number }[] = [];
  let n = 0;
  return {
    list,
    setTimer: (fn: () => void) => {
      const id = ++n;
      list.push({ fn, id });
      return id;
    },
    clearTimer: (h: unknown) => {
      const i = list.findIndex((x) => x.id === h);
      if (i >= 0) list.splice(i, 1);
    },
    runAll() {
      for (const x of list.splice(0)) x.fn();
    },
  };
}

describe("AnswerSaver", () => {
  it("debounces typing into one save with the latest values", async () => {
    const saved: Answers[] = [];
    const states: SaveState[] = [];
    const clock = timers();
    const saver = new AnswerSaver({
      save: async (c) => void saved.push(c),
      onState: (s) => states.push(s),
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    saver.change("q1", "h");
    saver.change("q1", "he");
    saver.change("q1", "hello");
    expect(clock.list).toHaveLength(1);
    clock.runAll();
    await saver.flush();
    expect(saved).toEqual([{ q1: "hello" }]);
    expect(states.at(-1)).toBe("saved");
  });

  it("saves a choice at once and queues changes made during a save for the next one", async () => {
    const saved: Answers[] = [];
    let release: () => void = () => undefined;
    const saver = new AnswerSaver({
      save: (c) => {
        saved.push(c);
        return new Promise<void>((r) => (release = r));
      },
      onState: () => undefined,
    });
    saver.change("q1", "a", true);
    await Promise.resolve();
    saver.change("q2", ["x", "y"], true);
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await saver.flush();
    expect(saved).toEqual([{ q1: "a" }, { q2: ["x", "y"] }]);
  });

  it("keeps failed changes for the next save", async () => {
    const saved: Answers[] = [];
    let fail = true;
    const saver = new AnswerSaver({
      save: async (c) => {
        saved.push(c);
        if (fail) throw new Error("offline");
      },
      onState: () => undefined,
    });
    saver.change("q1", true);
    await expect(saver.flush()).rejects.toThrow("offline");
    fail = false;
    saver.change("q2", "b");
    await saver.flush();
    expect(saved).toEqual([{ q1: true }, { q1: true, q2: "b" }]);
  });
});
