/** Watched intervals [from, to) in seconds of a video, as the player reports them. */
export type Interval = readonly [number, number];

/**
 * The union of `intervals`: sorted, overlapping and touching ones joined (within `epsilon`
 * seconds, the jitter of timeupdate events), empty and inverted ones dropped. The server merges
 * the same way (shared/learning/model.py merge_intervals), so re-sending never counts twice.
 */
export function mergeIntervals(intervals: Iterable<Interval>, epsilon = 0.05): Interval[] {
  const sorted = [...intervals]
    .filter(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && to > from)
    .map(([from, to]) => [Math.max(0, from), to] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + epsilon) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

export function totalSeconds(intervals: Iterable<Interval>): number {
  let sum = 0;
  for (const [from, to] of mergeIntervals(intervals)) sum += to - from;
  return sum;
}

/** Seconds rounded to milliseconds, so a batch's numbers stay short and stable. */
export function roundSeconds(value: number): number {
  return Math.round(value * 1000) / 1000;
}
