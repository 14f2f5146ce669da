/**
 * What a stream is as an Observable: observable-fns' `Observable`, loaded when a stream is made
 * rather than carried by an app's main bundle. Every method goes straight to observable-fns once it
 * is there, with its semantics; a subscription (or `forEach`) made before — in the turn a page's
 * first stream is made — takes effect as soon as it has loaded. A stream's values come from a
 * worker and wait for their consumer, so none is missed; operators (`map`, `filter`…) made before
 * then subscribe the same way.
 * @module
 */
import type { Observable, ObservableLike, Subscription, SubscriptionObserver } from "observable-fns";

/** What `subscribe` takes (observable-fns' `Observer`). */
export interface Observer<T> {
  start?(subscription: Subscription<T>): unknown;
  next?(value: T): void;
  error?(error: unknown): void;
  complete?(): void;
}

type ObservableFns = typeof import("observable-fns");

let fns: ObservableFns | undefined;
let loading: Promise<ObservableFns> | undefined;

function loadObservableFns(): Promise<ObservableFns> {
  return (loading ??= import("observable-fns").then((m) => (fns = m)));
}

/** observable-fns' key of the interop method: `Symbol.observable` where it exists, else `"@@observable"`. */
const OBSERVABLE: symbol | "@@observable" = (Symbol as { observable?: symbol }).observable ?? "@@observable";

type Subscriber<T> = (observer: SubscriptionObserver<T>) => (() => void) | { unsubscribe(): void } | void;

/** A subscription asked for before observable-fns had loaded; it is the real one's stand-in. */
class PendingSubscription<T> {
  #inner: Subscription<T> | undefined;
  #closed = false;

  attach(subscribe: () => Subscription<T>): void {
    if (!this.#closed) this.#inner = subscribe();
  }

  get closed(): boolean {
    return this.#inner ? this.#inner.closed : this.#closed;
  }

  unsubscribe(): void {
    this.#closed = true;
    this.#inner?.unsubscribe();
  }
}

/** An observable-fns `Observable`, loaded when first needed (see the module's comment). */
export class StreamObservable<T> {
  readonly #subscriber: Subscriber<T>;

  constructor(subscriber: Subscriber<T>) {
    this.#subscriber = subscriber;
    void loadObservableFns().catch(() => {}); // a failure is reported to whoever subscribes
  }

  // The observable-fns Observable of the same values.
  #real(m: ObservableFns): Observable<T> {
    return new m.Observable<T>(this.#subscriber as never);
  }

  // `op` applied to the real Observable: at once when it has loaded, else on subscription.
  #derive<R>(op: (o: Observable<T>) => Observable<R>): StreamObservable<R> {
    if (fns) return op(this.#real(fns)) as unknown as StreamObservable<R>;
    return new StreamObservable<R>((observer) => op(this.#real(fns as ObservableFns)).subscribe(observer));
  }

  subscribe(onNext?: (value: T) => void, onError?: (error: unknown) => void, onComplete?: () => void): Subscription<T>;
  subscribe(observer: Observer<T>): Subscription<T>;
  subscribe(a?: Observer<T> | ((value: T) => void), b?: (error: unknown) => void, c?: () => void): Subscription<T> {
    const call = (m: ObservableFns) => (this.#real(m).subscribe as (...args: unknown[]) => Subscription<T>)(a, b, c);
    if (fns) return call(fns);
    const pending = new PendingSubscription<T>();
    loadObservableFns().then(
      (m) => pending.attach(() => call(m)),
      (error: unknown) => {
        const observer = typeof a === "object" && a !== null ? a : { error: b };
        pending.unsubscribe();
        if (observer.error) observer.error(new Error(`observable-fns could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error }));
      },
    );
    return pending as unknown as Subscription<T>;
  }

  /** `mappers` applied in turn, the first to this stream. */
  pipe<Out>(first: (input: this) => Out): Out;
  pipe<Out>(first: (input: this) => unknown, ...mappers: ((input: never) => unknown)[]): Out;
  pipe(...mappers: ((input: never) => unknown)[]): unknown {
    let value: unknown = this;
    for (const mapper of mappers) value = mapper(value as never);
    return value;
  }

  tap(onNext?: (value: T) => void, onError?: (error: unknown) => void, onComplete?: () => void): StreamObservable<T>;
  tap(observer: Observer<T>): StreamObservable<T>;
  tap(a?: Observer<T> | ((value: T) => void), b?: (error: unknown) => void, c?: () => void): StreamObservable<T> {
    return this.#derive((o) => (o.tap as (...args: unknown[]) => Observable<T>)(a, b, c));
  }

  forEach(fn: (value: T, done: () => void) => void): Promise<unknown> {
    return loadObservableFns().then((m) => this.#real(m).forEach(fn));
  }

  map<R>(fn: (value: T) => R): StreamObservable<R> {
    return this.#derive((o) => o.map(fn));
  }

  filter<R extends T = T>(fn: (value: T) => boolean): StreamObservable<R> {
    return this.#derive((o) => o.filter<R>(fn));
  }

  reduce<R>(fn: (accumulated: R | T, value: T) => R): StreamObservable<R | T>;
  reduce<R>(fn: (accumulated: R, value: T) => R, seed: R): StreamObservable<R>;
  reduce(...args: unknown[]): StreamObservable<unknown> {
    // Without a seed the first value is the accumulator: the call keeps its arity.
    return this.#derive((o) => (o.reduce as (...a: unknown[]) => Observable<unknown>)(...args));
  }

  concat<R>(...sources: Array<Observable<R> | StreamObservable<R>>): StreamObservable<T | R> {
    return this.#derive((o) => (o.concat as (...a: unknown[]) => Observable<T | R>)(...sources));
  }

  flatMap<R>(fn: (value: T) => ObservableLike<R> | StreamObservable<R>): StreamObservable<R> {
    return this.#derive((o) => (o.flatMap as (f: unknown) => Observable<R>)(fn));
  }

  /** Interop (`Observable.from`, RxJS `from`): the stream itself. */
  [OBSERVABLE](): this {
    return this;
  }
}
