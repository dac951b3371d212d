/**
 * Progress batching on the client. Activity (watched intervals, time on task, text lessons read)
 * accumulates in memory, merged per lesson, and leaves as one `POST /api/v1/progress` batch:
 * every 30 s while something is pending, and when the player asks (pause, seek, the page hidden or
 * going away, with `keepalive` so the request outlives the page). Never one request per second.
 *
 * Each batch gets its own id when it is cut. A batch that failed on the network (or with a 5xx or
 * 429) is sent again with the SAME id and the same events before anything newer, so the server's
 * per-batch deduplication makes the retry harmless; what arrived meanwhile waits for the next
 * batch. A batch the server refused as invalid (4xx) is dropped, since sending it again cannot help.
 * Pending and unsent activity is kept in a Storage (sessionStorage in the app), so a batch cut
 * while offline is still sent, with its id, on the next page load.
 */
import { mergeIntervals, roundSeconds, type Interval } from "./intervals";

export const FLUSH_INTERVAL_MS = 30_000;
/** The server's limit of events per batch (shared/learning/model.py MAX_EVENTS). */
export const MAX_EVENTS = 200;
/** The server's limit of time on task per event. */
const MAX_ACTIVE_SECONDS = 3600;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export interface WatchEvent {
  type: "watch";
  courseId: string;
  lessonId: string;
  from: number;
  to: number;
  activeSeconds?: number;
  clientTime?: string;
}

export interface ReadEvent {
  type: "read";
  courseId: string;
  lessonId: string;
  activeSeconds?: number;
  clientTime?: string;
}

export type ProgressEvent = WatchEvent | ReadEvent;

export interface Batch {
  batchId: string;
  events: ProgressEvent[];
}

export type SendOutcome =
  | { ok: true; receipt?: unknown }
  /** retry: network failure, 5xx, 429; the same batch is sent again later. */
  | { ok: false; retry: boolean; detail?: string };

export type Sender = (batch: Batch, options: { keepalive: boolean }) => Promise<SendOutcome>;

interface LessonActivity {
  courseId: string;
  lessonId: string;
  intervals: Interval[];
  activeSeconds: number;
  read: boolean;
}

interface Persisted {
  pending: LessonActivity[];
  unsent: Batch | null;
}

export interface BatcherOptions {
  send: Sender;
  newId?: () => string;
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
  storageKey?: string;
  now?: () => Date;
  /** Timers are injectable so tests drive time. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  onReceipt?: (receipt: unknown) => void;
  onDropped?: (batch: Batch, detail: string | undefined) => void;
}

function key(courseId: string, lessonId: string): string {
  return `${courseId}\u0000${lessonId}`;
}

export function defaultBatchId(): string {
  const random =
    typeof crypto !== "undefined" && "randomUUID" in crypto
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `web-${random}`;
}

export class ProgressBatcher {
  private pending = new Map<string, LessonActivity>();
  /** The batch cut and not yet acknowledged: resent as it is until the server has it. */
  private unsent: Batch | null = null;
  private inFlight: Promise<void> | null = null;
  private periodic: unknown = null;
  private retryTimer: unknown = null;
  private failures = 0;
  private collectors = new Set<() => void>();
  private readonly opts: Required<Omit<BatcherOptions, "storage" | "onReceipt" | "onDropped">> &
    Pick<BatcherOptions, "storage" | "onReceipt" | "onDropped">;

  constructor(options: BatcherOptions) {
    this.opts = {
      newId: defaultBatchId,
      storageKey: "lms.progress",
      now: () => new Date(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
    this.restore();
  }

  /** Record watched intervals and time on task of a video lesson. */
  addWatch(courseId: string, lessonId: string, intervals: Iterable<Interval>, activeSeconds = 0): void {
    const list = [...intervals];
    if (list.length === 0 && activeSeconds <= 0) return;
    const activity = this.activity(courseId, lessonId);
    activity.intervals = mergeIntervals([...activity.intervals, ...list]);
    activity.activeSeconds += Math.max(0, activeSeconds);
    this.changed();
  }

  /** Record that a text lesson was read. */
  addRead(courseId: string, lessonId: string, activeSeconds = 0): void {
    const activity = this.activity(courseId, lessonId);
    activity.read = true;
    activity.activeSeconds += Math.max(0, activeSeconds);
    this.changed();
  }

  /**
   * Registers a source of activity (a playing video's tracker) that is asked to hand over what it
   * holds before every flush, so the 30-second flush includes an interval still being played.
   */
  addCollector(collect: () => void): () => void {
    this.collectors.add(collect);
    return () => this.collectors.delete(collect);
  }

  get hasPending(): boolean {
    return this.pending.size > 0 || this.unsent !== null;
  }

  /** The batch waiting to be sent again after a failure (its id stays), if any. */
  get unsentBatch(): Batch | null {
    return this.unsent;
  }

  /** Starts the 30-second flushes (and resends what a previous page left unsent). */
  start(): void {
    if (this.periodic === null) this.schedulePeriodic();
    if (this.unsent) void this.flush();
  }

  stop(): void {
    if (this.periodic !== null) this.opts.clearTimer(this.periodic);
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer);
    this.periodic = null;
    this.retryTimer = null;
  }

  /**
   * Sends what is pending: first a batch that failed before (same id), then one new batch of
   * everything pending. Resolves once done (or failed and kept for retry). With `keepalive`, the
   * requests are sent so that they survive the page going away.
   */
  flush(options: { keepalive?: boolean } = {}): Promise<void> {
    const keepalive = options.keepalive ?? false;
    for (const collect of this.collectors) collect();
    const run = async (): Promise<void> => {
      // At most two rounds: the earlier unsent batch, then the newly cut one.
      for (let round = 0; round < 2; round++) {
        if (!this.unsent) this.cut();
        const batch = this.unsent;
        if (!batch) return;
        const outcome = await this.safeSend(batch, keepalive);
        if (outcome.ok) {
          this.unsent = null;
          this.failures = 0;
          this.persist();
          this.opts.onReceipt?.(outcome.receipt);
          continue;
        }
        if (outcome.retry) {
          this.failures += 1;
          this.scheduleRetry();
          return;
        }
        this.unsent = null;
        this.persist();
        this.opts.onDropped?.(batch, outcome.detail);
      }
    };
    const previous = this.inFlight ?? Promise.resolve();
    const next = previous.then(run, run).finally(() => {
      if (this.inFlight === next) this.inFlight = null;
    });
    this.inFlight = next;
    return next;
  }

  private async safeSend(batch: Batch, keepalive: boolean): Promise<SendOutcome> {
    try {
      return await this.opts.send(batch, { keepalive });
    } catch {
      return { ok: false, retry: true };
    }
  }

  /** Turns the pending activity into the next batch, with a new id. */
  private cut(): void {
    if (this.pending.size === 0) return;
    const clientTime = this.opts.now().toISOString();
    const events: ProgressEvent[] = [];
    const leftovers = new Map<string, LessonActivity>();
    for (const [k, activity] of this.pending) {
      const lessonEvents = eventsOf(activity, clientTime);
      if (events.length + lessonEvents.length > MAX_EVENTS) {
        leftovers.set(k, activity);
        continue;
      }
      events.push(...lessonEvents);
    }
    this.pending = leftovers;
    if (events.length === 0) return;
    this.unsent = { batchId: this.opts.newId(), events };
    this.persist();
  }

  private activity(courseId: string, lessonId: string): LessonActivity {
    const k = key(courseId, lessonId);
    let activity = this.pending.get(k);
    if (!activity) {
      activity = { courseId, lessonId, intervals: [], activeSeconds: 0, read: false };
      this.pending.set(k, activity);
    }
    return activity;
  }

  private changed(): void {
    this.persist();
  }

  private schedulePeriodic(): void {
    this.periodic = this.opts.setTimer(() => {
      this.periodic = null;
      for (const collect of this.collectors) collect();
      const done = this.hasPending ? this.flush() : Promise.resolve();
      void done.finally(() => this.schedulePeriodic());
    }, FLUSH_INTERVAL_MS);
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(this.failures - 1, 10));
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null;
      void this.flush();
    }, delay);
  }

  private persist(): void {
    const storage = this.opts.storage;
    if (!storage) return;
    try {
      if (!this.hasPending) {
        storage.removeItem(this.opts.storageKey);
        return;
      }
      const state: Persisted = { pending: [...this.pending.values()], unsent: this.unsent };
      storage.setItem(this.opts.storageKey, JSON.stringify(state));
    } catch {
      // Storage full or unavailable: the batches still go out from memory.
    }
  }

  private restore(): void {
    const storage = this.opts.storage;
    if (!storage) return;
    try {
      const raw = storage.getItem(this.opts.storageKey);
      if (!raw) return;
      const state = JSON.parse(raw) as Persisted;
      if (state.unsent && typeof state.unsent.batchId === "string" && Array.isArray(state.unsent.events)) {
        this.unsent = state.unsent;
      }
      for (const activity of state.pending ?? []) {
        if (typeof activity.courseId !== "string" || typeof activity.lessonId !== "string") continue;
        this.pending.set(key(activity.courseId, activity.lessonId), {
          courseId: activity.courseId,
          lessonId: activity.lessonId,
          intervals: mergeIntervals(activity.intervals ?? []),
          activeSeconds: Number(activity.activeSeconds) || 0,
          read: Boolean(activity.read),
        });
      }
    } catch {
      storage.removeItem(this.opts.storageKey);
    }
  }
}

/** One lesson's pending activity as batch events: a watch event per merged interval, or a read event. */
function eventsOf(activity: LessonActivity, clientTime: string): ProgressEvent[] {
  const { courseId, lessonId } = activity;
  const events: ProgressEvent[] = [];
  let active = activity.activeSeconds;
  const takeActive = () => {
    const value = Math.min(MAX_ACTIVE_SECONDS, active);
    active -= value;
    return roundSeconds(value);
  };
  for (const [from, to] of activity.intervals) {
    if (roundSeconds(to) <= roundSeconds(from)) continue;
    events.push({ type: "watch", courseId, lessonId, from: roundSeconds(from), to: roundSeconds(to), activeSeconds: takeActive(), clientTime });
  }
  if (activity.read) events.push({ type: "read", courseId, lessonId, activeSeconds: takeActive(), clientTime });
  return events;
}
