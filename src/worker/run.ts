/**
 * Running one task: a call (`fn(...args)` with its arguments straight from the message), a chunk of
 * a map (`fn(item)` for each item, errors per item), or a stream (values sent as the consumer's
 * credit allows). While a task's code executes synchronously, `currentTask()` finds it.
 * @internal
 * @module
 */
import { encodeShared, holdsShared } from "../shared/encode.js";
import { reviveShared } from "../shared/revive.js";
import { sharedSeenInThread } from "../shared/shareable.js";
import { encodeError } from "../wire/error-codec.js";
import {
  ARGS_ARRAY,
  CODE_HANDLE_SHIFT,
  CODE_SHARED,
  KIND_MAP,
  KIND_STARMAP,
  KIND_STREAM,
  ST_CHUNK,
  ST_CHUNK_ERRORS,
  ST_CHUNK_SHARED,
  STREAM_WINDOW,
} from "../wire/protocol.js";
import { setExecuting } from "./current-task.js";
import { Unavailable, invoke, isThenable, withClosureHint, type Fn } from "./functions.js";
import { Outbox } from "./outbox.js";
import { isObservable, iteratorOf, observableToIterable, type StreamState } from "./streams.js";

export abstract class Runner extends Outbox {
  // Runs a task whose arguments are `src[at…]` as its code says (see protocol.ts).
  protected run(seq: number, fn: Fn | Unavailable, code: number, src: unknown[], at: number): void {
    this.active++;
    if (fn instanceof Unavailable) {
      this.pushError(seq, fn.error, false);
      return;
    }
    const handle = code >>> CODE_HANDLE_SHIFT;
    const kind = code & 3;
    if (kind === KIND_MAP || kind === KIND_STARMAP) {
      // A chunk has one argument, the items (inside an argument array if it waited for loading).
      const arg = src[at] as unknown[];
      const items = ((code >> 2) & 15) === ARGS_ARRAY ? (arg[0] as unknown[]) : arg;
      if ((code & CODE_SHARED) !== 0) reviveShared(items);
      this.runChunk(seq, fn, kind, items, handle);
      return;
    }
    let result: unknown;
    const nargs = (code >> 2) & 15;
    if ((code & CODE_SHARED) !== 0) {
      if (nargs === ARGS_ARRAY) reviveShared(src[at] as unknown[]);
      else reviveShared(src, at, at + nargs);
    }
    const self = this.self;
    self.seq = seq;
    setExecuting(self);
    try {
      result = invoke(fn, nargs, src, at);
    } catch (error) {
      setExecuting(undefined);
      this.pushError(seq, error, this.fromSource[handle] === true);
      return;
    }
    setExecuting(undefined);
    if (kind === KIND_STREAM) {
      void this.runStream(seq, result, this.fromSource[handle] === true);
    } else if (isThenable(result)) {
      (result as PromiseLike<unknown>).then(
        (value) => this.pushOk(seq, value),
        (error: unknown) => this.pushError(seq, error, this.fromSource[handle] === true),
      );
    } else {
      this.pushOk(seq, result);
    }
  }

  private runChunk(seq: number, fn: Fn, kind: number, items: unknown[], handle: number): void {
    const n = items.length;
    const out = new Array<unknown>(n);
    let errors: unknown[] | undefined;
    let pending: Promise<unknown>[] | undefined;
    const isSource = this.fromSource[handle] === true;
    this.self.seq = seq;
    setExecuting(this.self);
    for (let i = 0; i < n; i++) {
      let r: unknown;
      try {
        r = kind === KIND_MAP ? fn(items[i]) : fn.apply(undefined, items[i] as unknown[]);
      } catch (error) {
        (errors ??= []).push(i, encodeError(withClosureHint(error, isSource)));
        continue;
      }
      if (typeof r === "object" && r !== null) {
        if (isThenable(r)) {
          const at = i;
          (pending ??= []).push(
            Promise.resolve(r).then(
              (v) => {
                out[at] = this.unwrap(v);
              },
              (error: unknown) => {
                (errors ??= []).push(at, encodeError(withClosureHint(error, isSource)));
              },
            ),
          );
          continue;
        }
        r = this.unwrap(r);
      }
      out[i] = r;
    }
    setExecuting(undefined);
    const finish = () => {
      this.controllers.delete(seq);
      if (sharedSeenInThread() && holdsShared(out)) {
        const moved: object[] = [];
        encodeShared(out, moved);
        if (moved.length > 0) this.moveWithRecord(moved);
        this.push(seq, ST_CHUNK_SHARED, [out, errors ?? null]);
      } else if (errors) this.push(seq, ST_CHUNK_ERRORS, [out, errors]);
      else this.push(seq, ST_CHUNK, out);
    };
    if (pending) Promise.all(pending).then(finish);
    else finish();
  }

  // Streams: values go out as ST_ITEM records, no more than the consumer's credit ahead of it.
  private async runStream(seq: number, source: unknown, isSource: boolean): Promise<void> {
    const stream: StreamState = { credit: STREAM_WINDOW, resume: undefined, stop: undefined, stopped: false };
    this.streams.set(seq, stream);
    try {
      let produced = await source;
      if (isObservable(produced)) produced = observableToIterable(produced, stream);
      const it = iteratorOf(produced);
      if (!it) {
        const what = typeof produced === "object" ? "an object without Symbol.asyncIterator" : typeof produced;
        this.pushError(seq, new TypeError(`a stream task must return an async iterable, an iterable or an Observable; it returned ${what}`), false);
        return;
      }
      stream.stop = () => void it.return?.();
      // What the generator returns (its `return` value) settles the task: the stream's `result`.
      let returned: unknown;
      for (;;) {
        while (stream.credit <= 0 && !stream.stopped) await new Promise<void>((r) => (stream.resume = r));
        if (stream.stopped) {
          await it.return?.();
          break;
        }
        // The generator's body runs inside next(): currentTask() there finds this task.
        this.self.seq = seq;
        setExecuting(this.self);
        let pending: Promise<IteratorResult<unknown>> | IteratorResult<unknown>;
        try {
          pending = it.next();
        } finally {
          setExecuting(undefined);
        }
        const step = await pending;
        if (step.done || stream.stopped) {
          if (stream.stopped) await it.return?.();
          else returned = step.value;
          break;
        }
        stream.credit--;
        this.pushItem(seq, step.value);
      }
      this.pushOk(seq, returned);
    } catch (error) {
      this.pushError(seq, error, isSource);
    } finally {
      this.streams.delete(seq);
    }
  }
}
