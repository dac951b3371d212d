/**
 * Turns a video element's events into watched intervals and time on task, without timers:
 * `timeupdate` positions extend the current interval while playback runs forward at about the
 * playback rate; a seek, a pause or a jump closes it. Pure (positions and clock values are
 * passed in), so its rules are unit-tested; VideoLesson.tsx wires it to the element.
 */
import { mergeIntervals, type Interval } from "./intervals";

/** A forward step longer than this (in media seconds per wall second) is a jump, not playback. */
const MAX_RATE_SLACK = 1.5;
/** A timeupdate gap longer than this (wall seconds) is not counted as time on task (tab throttled, machine asleep). */
const MAX_ACTIVE_GAP = 5;

export interface Drained {
  intervals: Interval[];
  activeSeconds: number;
}

export class WatchTracker {
  private finished: Interval[] = [];
  private start: number | null = null;
  private position = 0;
  private clock = 0;
  private active = 0;
  private rate = 1;

  /** Playback started (or resumed) at `position`, at wall-clock `now` (seconds). */
  play(position: number, now: number, rate = 1): void {
    this.close();
    this.start = position;
    this.position = position;
    this.clock = now;
    this.rate = rate > 0 ? rate : 1;
  }

  /** A timeupdate while playing. */
  tick(position: number, now: number): void {
    if (this.start === null) return;
    const wall = now - this.clock;
    const step = position - this.position;
    const forward = step >= 0 && step <= Math.max(1, wall) * this.rate * MAX_RATE_SLACK + 0.5;
    if (wall > 0 && wall <= MAX_ACTIVE_GAP) this.active += wall;
    if (forward) {
      this.position = position;
    } else {
      // A jump (a seek the element reported without `seeking`, or a loop): keep what was played.
      this.close();
      this.start = position;
      this.position = position;
    }
    this.clock = now;
  }

  /** The playhead is moving elsewhere: what was played up to the last known position counts. */
  seeking(): void {
    const wasPlaying = this.start !== null;
    this.close();
    if (wasPlaying) this.start = null;
  }

  /** Paused or ended at `position`. */
  pause(position: number, now: number): void {
    if (this.start !== null) this.tick(position, now);
    this.close();
  }

  get playing(): boolean {
    return this.start !== null;
  }

  /** The intervals and time on task since the last drain (an interval still playing is cut at its current end and continues). */
  drain(): Drained {
    const out = [...this.finished];
    if (this.start !== null && this.position > this.start) {
      out.push([this.start, this.position]);
      this.start = this.position;
    }
    this.finished = [];
    const activeSeconds = this.active;
    this.active = 0;
    return { intervals: mergeIntervals(out), activeSeconds };
  }

  private close(): void {
    if (this.start !== null && this.position > this.start) this.finished.push([this.start, this.position]);
    this.start = null;
  }
}
