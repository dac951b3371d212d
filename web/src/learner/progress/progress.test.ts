import { describe, expect, it } from "vitest";
import { mergeIntervals, totalSeconds } from "./intervals";
import { FLUSH_INTERVAL_MS, MAX_EVENTS, ProgressBatcher, type Batch, type SendOutcome } from "./batcher";
import { WatchTracker } from "./tracker";

describe("mergeIntervals", () => {
  it("joins overlapping and touching intervals and sorts them", () => {
    expect(mergeIntervals([[10, 20], [0, 5], [4, 8], [20, 25]])).toEqual([[0, 8], [10, 25]]);
  });
  it("drops empty, inverted and non-finite intervals and clamps negatives", () => {
    expect(mergeIntervals([[5, 5], [9, 3], [Number.NaN, 4], [-2, 1]])).toEqual([[0, 1]]);
  });
  it("counts re-watched seconds once", () => {
    expect(totalSeconds([[0, 10], [5, 15], [0, 10]])).toBe(15);
  });
});

describe("WatchTracker", () => {
  it("extends one interval while playback runs forward", () => {
    const tracker = new WatchTracker();
    tracker.play(0, 100);
    for (let s = 1; s <= 10; s++) tracker.tick(s, 100 + s);
    tracker.pause(10.2, 110.2);
    const drained = tracker.drain();
    expect(drained.intervals).toEqual([[0, 10.2]]);
    expect(drained.activeSeconds).toBeCloseTo(10.2, 5);
  });

  it("closes the interval at a seek and starts a new one where playback resumes", () => {
    const tracker = new WatchTracker();
    tracker.play(0, 0);
    tracker.tick(4, 4);
    tracker.seeking();
    tracker.play(30, 5);
    tracker.tick(33, 8);
    expect(tracker.drain().intervals).toEqual([[0, 4], [30, 33]]);
  });

  it("treats a forward jump without a seek event as a new interval, not as watched", () => {
    const tracker = new WatchTracker();
    tracker.play(0, 0);
    tracker.tick(1, 1);
    tracker.tick(60, 1.25);
    tracker.tick(61, 2.25);
    expect(tracker.drain().intervals).toEqual([[0, 1], [60, 61]]);
  });

  it("drains an interval still playing and continues it", () => {
    const tracker = new WatchTracker();
    tracker.play(0, 0);
    tracker.tick(5, 5);
    expect(tracker.drain().intervals).toEqual([[0, 5]]);
    tracker.tick(8, 8);
    expect(tracker.drain().intervals).toEqual([[5, 8]]);
  });

  it("does not count a long gap between updates as time on task", () => {
    const tracker = new WatchTracker();
    tracker.play(0, 0);
    tracker.tick(1, 1);
    tracker.tick(2, 600);
    expect(tracker.drain().activeSeconds).toBeCloseTo(1, 5);
  });
});

/** A sender scripted per call, recording every batch it was given. */
function scriptedSender(outcomes: (SendOutcome | "throw")[]) {
  const sent: { batch: Batch; keepalive: boolean }[] = [];
  const send = async (batch: Batch, options: { keepalive: boolean }): Promise<SendOutcome> => {
    sent.push({ batch: structuredClone(batch), keepalive: options.keepalive });
    const next = outcomes.shift() ?? { ok: true };
    if (next === "throw") throw new TypeError("Failed to fetch");
    return next;
  };
  return { sent, send };
}

function fakeTimers() {
  const timers: { fn: () => void; ms: number; id: number }[] = [];
  let nextId = 1;
  return {
    timers,
    setTimer: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ fn, ms, id });
      return id;
    },
    clearTimer: (handle: unknown) => {
      const i = timers.findIndex((t) => t.id === handle);
      if (i >= 0) timers.splice(i, 1);
    },
    /** Runs the timers due at `ms`. */
    fire(ms: number) {
      const due = timers.filter((t) => t.ms === ms);
      for (const t of due) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function ids() {
  let n = 0;
  return () => `b${++n}`;
}

describe("ProgressBatcher", () => {
  it("merges a lesson's intervals on the client into one batch", async () => {
    const { sent, send } = scriptedSender([]);
    const batcher = new ProgressBatcher({ send, newId: ids(), now: () => new Date("2026-01-01T00:00:00Z") });
    batcher.addWatch("c", "v", [[0, 5]], 5);
    batcher.addWatch("c", "v", [[4, 10], [20, 25]], 11);
    await batcher.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.batch).toEqual({
      batchId: "b1",
      events: [
        { type: "watch", courseId: "c", lessonId: "v", from: 0, to: 10, activeSeconds: 16, clientTime: "2026-01-01T00:00:00.000Z" },
        { type: "watch", courseId: "c", lessonId: "v", from: 20, to: 25, activeSeconds: 0, clientTime: "2026-01-01T00:00:00.000Z" },
      ],
    });
    expect(batcher.hasPending).toBe(false);
  });

  it("gives each batch its own id", async () => {
    const { sent, send } = scriptedSender([]);
    const batcher = new ProgressBatcher({ send, newId: ids() });
    batcher.addWatch("c", "v", [[0, 5]]);
    await batcher.flush();
    batcher.addRead("c", "t");
    await batcher.flush();
    expect(sent.map((s) => s.batch.batchId)).toEqual(["b1", "b2"]);
  });

  it("sends nothing when nothing is pending", async () => {
    const { sent, send } = scriptedSender([]);
    const batcher = new ProgressBatcher({ send, newId: ids() });
    await batcher.flush();
    expect(sent).toHaveLength(0);
  });

  it("retries a batch that failed on the network with the same id and the same events, before newer activity", async () => {
    const { sent, send } = scriptedSender(["throw", { ok: true }, { ok: true }]);
    const timers = fakeTimers();
    const batcher = new ProgressBatcher({ send, newId: ids(), setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    batcher.addWatch("c", "v", [[0, 5]]);
    await batcher.flush();
    expect(batcher.unsentBatch?.batchId).toBe("b1");
    // Activity after the failure does not change the batch already cut.
    batcher.addWatch("c", "v", [[5, 9]]);
    await batcher.flush();
    expect(sent.map((s) => s.batch.batchId)).toEqual(["b1", "b1", "b2"]);
    expect(sent[1]?.batch).toEqual(sent[0]?.batch);
    expect(sent[2]?.batch.events).toMatchObject([{ from: 5, to: 9 }]);
    expect(batcher.hasPending).toBe(false);
  });

  it("retries with the same id on a 5xx or 429 from a retry timer", async () => {
    const { sent, send } = scriptedSender([{ ok: false, retry: true }, { ok: true }]);
    const timers = fakeTimers();
    const batcher = new ProgressBatcher({ send, newId: ids(), setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    batcher.addRead("c", "t");
    await batcher.flush();
    expect(timers.timers.map((t) => t.ms)).toEqual([2000]);
    timers.fire(2000);
    await batcher.flush();
    expect(sent.map((s) => s.batch.batchId)).toEqual(["b1", "b1"]);
    expect(batcher.hasPending).toBe(false);
  });

  it("drops a batch the server refused as invalid instead of resending it forever", async () => {
    const dropped: string[] = [];
    const { sent, send } = scriptedSender([{ ok: false, retry: false, detail: "bad" }]);
    const batcher = new ProgressBatcher({ send, newId: ids(), onDropped: (b) => dropped.push(b.batchId) });
    batcher.addRead("c", "t");
    await batcher.flush();
    await batcher.flush();
    expect(sent).toHaveLength(1);
    expect(dropped).toEqual(["b1"]);
  });

  it("flushes every 30 seconds, only when something is pending, never per second", async () => {
    const { sent, send } = scriptedSender([]);
    const timers = fakeTimers();
    const batcher = new ProgressBatcher({ send, newId: ids(), setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    batcher.start();
    expect(timers.timers.map((t) => t.ms)).toEqual([FLUSH_INTERVAL_MS]);
    // A second of playback at a time adds to the pending batch; nothing is sent.
    for (let s = 0; s < 30; s++) batcher.addWatch("c", "v", [[s, s + 1]], 1);
    expect(sent).toHaveLength(0);
    timers.fire(FLUSH_INTERVAL_MS);
    await batcher.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.batch.events).toMatchObject([{ from: 0, to: 30, activeSeconds: 30 }]);
    await Promise.resolve();
    timers.fire(FLUSH_INTERVAL_MS);
    await batcher.flush();
    expect(sent).toHaveLength(1);
    batcher.stop();
    expect(timers.timers).toHaveLength(0);
  });

  it("asks its collectors (a playing video) for their activity before each flush", async () => {
    const { sent, send } = scriptedSender([]);
    const timers = fakeTimers();
    const batcher = new ProgressBatcher({ send, newId: ids(), setTimer: timers.setTimer, clearTimer: timers.clearTimer });
    const tracker = new WatchTracker();
    tracker.play(0, 0);
    for (let s = 1; s <= 12; s++) tracker.tick(s, s);
    const remove = batcher.addCollector(() => {
      const { intervals, activeSeconds } = tracker.drain();
      batcher.addWatch("c", "v", intervals, activeSeconds);
    });
    batcher.start();
    timers.fire(FLUSH_INTERVAL_MS);
    await batcher.flush();
    expect(sent[0]?.batch.events).toMatchObject([{ from: 0, to: 12, activeSeconds: 12 }]);
    remove();
    batcher.stop();
  });

  it("passes keepalive for flushes while the page goes away", async () => {
    const { sent, send } = scriptedSender([]);
    const batcher = new ProgressBatcher({ send, newId: ids() });
    batcher.addWatch("c", "v", [[0, 3]]);
    await batcher.flush({ keepalive: true });
    expect(sent[0]?.keepalive).toBe(true);
  });

  it("sends one request at a time when flushes overlap", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sent: string[] = [];
    const send = async (batch: Batch): Promise<SendOutcome> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      sent.push(batch.batchId);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { ok: true };
    };
    const batcher = new ProgressBatcher({ send, newId: ids() });
    batcher.addWatch("c", "v", [[0, 3]]);
    const first = batcher.flush();
    await new Promise((r) => setTimeout(r, 1)); // b1 is on the wire
    batcher.addWatch("c", "v", [[3, 6]]);
    const second = batcher.flush();
    await Promise.all([first, second]);
    expect(maxInFlight).toBe(1);
    expect(sent).toEqual(["b1", "b2"]);
  });

  it("keeps an unsent batch in storage and resends it with its id on the next page load", async () => {
    const storage = memoryStorage();
    const first = new ProgressBatcher({ send: scriptedSender(["throw"]).send, newId: ids(), storage, setTimer: () => 0, clearTimer: () => undefined });
    first.addWatch("c", "v", [[0, 7]]);
    await first.flush({ keepalive: true });
    first.addWatch("c", "v", [[7, 9]]);
    const { sent, send } = scriptedSender([]);
    const next = new ProgressBatcher({ send, newId: () => "later", storage });
    await next.flush();
    expect(sent.map((s) => s.batch.batchId)).toEqual(["b1", "later"]);
    expect(sent[0]?.batch.events).toMatchObject([{ from: 0, to: 7 }]);
    expect(sent[1]?.batch.events).toMatchObject([{ from: 7, to: 9 }]);
    expect(storage.data.size).toBe(0);
  });

  it("splits more events than the server takes into several batches", async () => {
    const { sent, send } = scriptedSender([]);
    const batcher = new ProgressBatcher({ send, newId: ids() });
    for (let i = 0; i < MAX_EVENTS + 5; i++) batcher.addRead("c", `t${i}`);
    await batcher.flush();
    await batcher.flush();
    expect(sent.map((s) => s.batch.events.length)).toEqual([MAX_EVENTS, 5]);
  });
});
