// Reading and checking requests on the event loop (cheap work only): each endpoint's input becomes
// the arguments of its task, or an HttpError that says what was wrong.
import { randomBytes } from "node:crypto";
import { transfer } from "isofutures";
import { SCRYPT_MAX_MEMORY } from "./tasks.mjs";

/** An error the client can act on: its status and a JSON body `{ error, ...details }`. */
export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Record<string, unknown>} [details] - more fields of the JSON body.
   * @param {Record<string, string>} [headers]
   */
  constructor(status, message, details = {}, headers = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Reads a request body, refusing more than `limit` bytes (413).
 * @param {import("node:http").IncomingMessage} req
 * @param {number} limit
 * @returns {Promise<Buffer>}
 */
export async function readBody(req, limit) {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) throw tooLarge(limit);
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit) {
  return new HttpError(413, `the body is larger than ${limit} bytes`, {}, { connection: "close" });
}

const HASH_FIELDS = ["password", "salt", "N", "r", "p"];

/**
 * POST /hash — `{ "password": string, "salt"?: hex, "N"?: power of 2, "r"?: int, "p"?: int }`.
 * @param {Buffer} body
 * @returns {[string, string, number, number, number]} the arguments of `hashPassword`.
 */
export function hashArgs(body) {
  const input = parseJsonObject(body, '{ "password": "correct horse battery staple" }');
  for (const key of Object.keys(input)) {
    if (!HASH_FIELDS.includes(key)) throw new HttpError(400, `unknown field "${key}"; the fields are ${HASH_FIELDS.join(", ")}`);
  }
  const { password, salt = randomBytes(16).toString("hex"), N = 16384, r = 8, p = 1 } = input;
  if (typeof password !== "string" || password.length < 1 || password.length > 1024) {
    throw new HttpError(400, "password must be a string of 1 to 1024 characters");
  }
  if (typeof salt !== "string" || !/^([0-9a-f]{2}){8,64}$/i.test(salt)) {
    throw new HttpError(400, "salt must be 8 to 64 bytes in hex (16 to 128 hex digits)");
  }
  if (!Number.isInteger(N) || N < 1024 || N > 65536 || (N & (N - 1)) !== 0) {
    throw new HttpError(400, "N must be a power of 2 from 1024 to 65536");
  }
  if (!Number.isInteger(r) || r < 1 || r > 16) throw new HttpError(400, "r must be an integer from 1 to 16");
  if (!Number.isInteger(p) || p < 1 || p > 4) throw new HttpError(400, "p must be an integer from 1 to 4");
  if (128 * N * r > SCRYPT_MAX_MEMORY) {
    throw new HttpError(400, `N × r must be at most ${SCRYPT_MAX_MEMORY / 128} (scrypt uses 128 · N · r bytes; the limit is 64 MiB)`);
  }
  return [password, salt.toLowerCase(), N, r, p];
}

export const TILE_PATH = /^\/tile\/([^/]+)\/([^/]+)\/([^/]+)\.png$/;
const MAX_ZOOM = 30;
const MAX_ITER = 100_000;

/**
 * GET /tile/{z}/{x}/{y}.png?iter=N
 * @param {RegExpExecArray} match - of TILE_PATH on the path.
 * @param {URLSearchParams} query
 * @returns {[number, number, number, number]} the arguments of `renderTile`.
 */
export function tileArgs(match, query) {
  const z = integer("z", match[1], 0, MAX_ZOOM);
  const x = integer("x", match[2], 0, 2 ** z - 1, ` at zoom ${z}`);
  const y = integer("y", match[3], 0, 2 ** z - 1, ` at zoom ${z}`);
  for (const key of query.keys()) {
    if (key !== "iter") throw new HttpError(400, `unknown query parameter "${key}"; the only one is iter`);
  }
  const iter = query.has("iter") ? integer("iter", query.get("iter"), 1, MAX_ITER) : 500;
  return [z, x, y, iter];
}

function integer(name, text, min, max, where = "") {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}${where} (got "${text}")`);
  return n;
}

/**
 * POST /validate — the body goes to the task as it is: parsing it is part of the heavy work.
 * @param {Buffer} body
 * @returns {[Uint8Array]} the arguments of `validateDocument` (the bytes move to a worker thread
 *   rather than being copied).
 */
export function validateArgs(body) {
  if (body.length === 0) throw new HttpError(400, 'the body is empty; send an orders document { "orders": [...] }');
  // A body of its own (not a slice of Node's shared pool), so that it can be moved to a worker.
  const bytes = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
  const view = new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  return [transfer(view, [view.buffer])];
}

/**
 * The response to a `validateDocument` result.
 * @returns {{ status: number, body: object }}
 */
export function validationResponse(result) {
  if (result.valid) return { status: 200, body: result };
  if (result.syntaxError !== undefined) return { status: 400, body: { error: `the body is not valid JSON: ${result.syntaxError}` } };
  const n = result.problemCount;
  return { status: 400, body: { error: `the orders document breaks ${n} rule${n === 1 ? "" : "s"}`, ...result } };
}

function parseJsonObject(body, example) {
  let value;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, `the body must be a JSON object such as ${example}`);
  }
  return value;
}
