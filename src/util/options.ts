/**
 * Strict options: a name an options object does not know is a mistake (`maxWorker`, `idleTimout`)
 * or an option of another library (`workerData`), never something to ignore silently.
 * @module
 */

/**
 * Throws a `TypeError` if `options` has an own enumerable key that is not in `known`, naming the
 * key and the closest known option (by edit distance), or what to use instead when `hints` has an
 * entry for it (options of other libraries: `{ workerData: "pass initArgs to an initializer" }`).
 * Keys whose value is `undefined` are checked too: a misspelt option is a mistake whatever its value.
 *
 * @param options - the options object as the caller gave it (anything else is left to the caller).
 * @param known - every option name the caller accepts.
 * @param what - who is asking, for the message: `"thread executor"`, `"Process"`.
 * @param hints - optional: for names that are not typos but options of other libraries, what to do instead.
 */
export function checkOptions(
  options: object,
  known: readonly string[],
  what: string,
  hints?: Readonly<Record<string, string>>,
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = hints !== undefined && Object.prototype.hasOwnProperty.call(hints, key) ? hints[key] : undefined;
    const closest = closestName(key, known);
    throw new TypeError(
      `${what}: unknown option "${key}"` +
        (hint !== undefined ? `: ${hint}` : closest !== undefined ? `; did you mean "${closest}"?` : "") +
        ` (its options are: ${[...known].sort().join(", ")})`,
    );
  }
}

/** The name in `names` nearest to `name` (case-insensitive edit distance), if any is near enough to be a likely typo. */
export function closestName(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Past a third of the name's length the nearest name is no longer a likely typo.
  return bestDistance <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (Damerau's restricted form). */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let before = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      cur[j] = d;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[n] as number;
}
