// Tasks module of the isofutures pool.
import { transfer } from "isofutures/worker";
import { burn as burnLoop, inc as incOne } from "./work.mjs";

export function echo(value) {
  return value;
}

/** Takes an ArrayBuffer (transferred in) and moves it back. */
export function roundtrip(buf) {
  return transfer(buf, [buf]);
}

/** Takes an ArrayBuffer (copied in) and returns it (copied out). */
export function copy(buf) {
  return buf;
}

export function burn(iterations) {
  return burnLoop(iterations);
}

export function inc(n) {
  return incOne(n);
}
