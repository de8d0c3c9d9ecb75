/**
 * A timestamp comparable across the benchmark's processes: epoch milliseconds with the monotonic
 * clock's sub-millisecond precision (`Date.now()` has whole milliseconds only).
 */
export const epochNow = (): number => performance.timeOrigin + performance.now();
