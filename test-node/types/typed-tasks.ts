// A typed tasks module, for the compile checks of typed-sample.ts.
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
export async function greet(name: string, times: number): Promise<string> {
  return `hello ${name}`.repeat(times);
}
export function describePoint(p: { x: number; y: number }): string {
  return `${p.x},${p.y}`;
}
export const notATask = 5;
export async function* ticks(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}
