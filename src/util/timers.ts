/** The handle `setTimeout` returns, whatever the platform. @internal @module */
export type Timer = ReturnType<typeof setTimeout>;

/** `performance.now()` where there is one, else `Date.now()`: ms, for durations and deadlines. */
export const now: () => number = typeof performance === "object" ? () => performance.now() : Date.now;
