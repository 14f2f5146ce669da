/**
 * Types that make `submit("fib", 30)` check the name, the arguments and the result against a
 * tasks module: `new ThreadPoolExecutor<typeof import("./tasks.js")>({ tasks })`.
 * @module
 */

/**
 * Any function that can be a task. (`never[]`: every function's parameters accept it, so any
 * function is assignable here, as with `any[]`, without giving up type checking.)
 */
export type TaskFunction = (...args: never[]) => unknown;

/** What an untyped executor accepts: any name, any arguments, results of type `unknown`. */
export type AnyTasks = Record<string, (...args: unknown[]) => unknown>;

/** The names of the functions a tasks module exports. */
export type TaskName<M> = { [K in keyof M]-?: M[K] extends TaskFunction ? K : never }[keyof M] & string;

/** The parameters of a task function. */
export type TaskArgs<F> = F extends (...args: infer A) => unknown ? A : never;

/** What a task's future resolves to: its return value, with promises unwrapped. */
export type TaskResult<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** The first parameter of a task function (what `map` feeds it). */
export type TaskInput<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : never;

/** A sync or async iterable. */
export type AnyIterable<T> = Iterable<T> | AsyncIterable<T>;

/** The iterables `map(fn, ...iterables)` zips for a task whose parameters are `P`: one per parameter, in order. */
export type ZipInputs<P> = P extends readonly unknown[] ? { [I in keyof P]: AnyIterable<P[I]> } : never;

/** The values a stream task yields: of an async generator, an (async) iterable, or an Observable. */
export type StreamValue<F> = F extends (...args: never[]) => infer R ? StreamedOf<Awaited<R>> : never;
/** What a stream task returns at its end (`stream.result`): a generator's return value, else `undefined`. */
export type StreamReturn<F> = F extends (...args: never[]) => infer R ? ReturnedOf<Awaited<R>> : never;
type ReturnedOf<R> = R extends AsyncGenerator<unknown, infer V, never> ? V : R extends Generator<unknown, infer V, never> ? V : undefined;
type StreamedOf<R> = R extends AsyncIterable<infer V> ? V : R extends Iterable<infer V> ? V : R extends { subscribe(observer: { next?(value: infer V): void }): unknown } ? V : unknown;
