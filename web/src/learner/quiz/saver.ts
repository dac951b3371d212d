/**
 * Answers are saved as they change: each change is queued and sent with `PUT .../answers`
 * after a short pause (typing), one request at a time; changes made while a save is on the wire
 * go in the next one. `flush()` sends what is queued at once (before submitting).
 */
export type AnswerValue = string | boolean | string[] | null;
export type Answers = Record<string, AnswerValue>;

export type SaveState = "idle" | "pending" | "saving" | "saved" | "failed";

export interface SaverOptions {
  save(changes: Answers): Promise<void>;
  onState(state: SaveState, error?: unknown): void;
  delayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class AnswerSaver {
  private queued: Answers = {};
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private readonly delay: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: SaverOptions) {
    this.delay = options.delayMs ?? 600;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  change(questionId: string, value: AnswerValue, immediate = false): void {
    this.queued[questionId] = value;
    this.options.onState("pending");
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (immediate) void this.flush();
    else this.timer = this.setTimer(() => void this.flush(), this.delay);
  }

  get hasQueued(): boolean {
    return Object.keys(this.queued).length > 0;
  }

  /** Sends the queued changes now (after any save on the wire); rejects if the save failed. */
  async flush(): Promise<void> {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    while (this.inFlight) await this.inFlight.catch(() => undefined);
    if (!this.hasQueued) return;
    const changes = this.queued;
    this.queued = {};
    this.options.onState("saving");
    const attempt = this.options.save(changes);
    this.inFlight = attempt;
    try {
      await attempt;
      this.options.onState(this.hasQueued ? "pending" : "saved");
    } catch (error) {
      // Keep the failed changes (unless newer ones replaced them) for the next save.
      this.queued = { ...changes, ...this.queued };
      this.options.onState("failed", error);
      throw error;
    } finally {
      this.inFlight = null;
    }
  }

  cancel(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }
}
