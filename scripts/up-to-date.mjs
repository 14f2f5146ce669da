// Is a build output up to date with its inputs? Node built-ins only. A build records, in a stamp
// file under .cache/build/, a hash of its inputs' names and contents and the name, size and
// modification time of every output file; the output is up to date while both still match. Contents,
// not times, for the inputs: a checkout or a `touch` that changes no byte rebuilds nothing, and any
// changed byte rebuilds. Times for the outputs: cheap, and any other write to them (a build run
// by hand from other sources) rebuilds.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STAMPS = join(ROOT, ".cache", "build");

/** Every file under `path` (itself if it is a file), sorted, leaving out `skip`ped folders; none if it does not exist. */
function filesUnder(path, skip) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  const found = [];
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(full)) found.push(...filesUnder(full, skip));
    } else if (entry.isFile()) {
      found.push(full);
    }
  }
  return found;
}

/**
 * A hash of the files under `paths` (files or folders, relative to the repository): their paths and
 * contents. Folders in `skip` (relative too) are left out.
 */
export function hashInputs(paths, skip = []) {
  const hash = createHash("sha256");
  const skipped = skip.map((p) => join(ROOT, p));
  for (const path of paths) {
    for (const file of filesUnder(join(ROOT, path), skipped)) {
      hash.update(relative(ROOT, file).split(sep).join("/")).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

/** What the files under `dir` are now: name, size and modification time of each. */
function outputsOf(dir) {
  return filesUnder(join(ROOT, dir), []).map((file) => {
    const s = statSync(file);
    return `${relative(ROOT, file)} ${s.size} ${s.mtimeMs}`;
  });
}

/** True when the build `name` was made from inputs hashing to `inputs` and its output `dir` is as it left it. */
export function isUpToDate(name, inputs, dir) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(STAMPS, `${name}.json`), "utf8"));
  } catch {
    return false; // never built here, or the stamp is unreadable: build
  }
  const now = outputsOf(dir);
  return stamp.inputs === inputs && now.length > 0 && JSON.stringify(stamp.outputs) === JSON.stringify(now);
}

/** Records that the build `name` made `dir` from inputs hashing to `inputs` (hash them before building). */
export function recordBuild(name, inputs, dir) {
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(join(STAMPS, `${name}.json`), `${JSON.stringify({ inputs, outputs: outputsOf(dir) }, null, 1)}\n`);
}
