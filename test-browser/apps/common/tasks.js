// The app's tasks: a plain module with no imports, so that it can be loaded by URL as it is.
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
