/** The handle `setTimeout` returns, whatever the platform. @internal @module */
export type Timer = ReturnType<typeof setTimeout>;
