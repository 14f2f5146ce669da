// The document behind POST /validate: a batch of orders, its rules, and a sample generator.
//
// { "orders": [ { "id": "o-1", "createdAt": "2024-05-01T12:00:00Z", "currency": "EUR",
//                 "customer": { "name": "Ada", "email": "ada@example.com" },
//                 "items": [ { "sku": "ABC-1234", "qty": 2, "price": 9.99 } ] } ] }

const CURRENCIES = ["EUR", "USD", "GBP", "JPY", "CHF"];
const MAX_ORDERS = 1_000_000;
const MAX_PROBLEMS = 20;
const SKU = /^[A-Z]{3}-\d{4}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks a parsed orders document against the rules above.
 * @param {unknown} doc - the parsed JSON.
 * @returns {{ valid: true, orders: number, items: number, totals: Record<string, number> }
 *   | { valid: false, problemCount: number, problems: { path: string, message: string }[] }}
 *   totals per currency, in the currency's units; problems as JSON pointers (the first 20).
 */
export function validateOrders(doc) {
  const problems = [];
  let problemCount = 0;
  const problem = (path, message) => {
    if (problemCount++ < MAX_PROBLEMS) problems.push({ path, message });
  };
  if (!isObject(doc) || !Array.isArray(doc.orders)) {
    problem("/orders", "must be an array (the body is { \"orders\": [...] })");
    return { valid: false, problemCount, problems };
  }
  const { orders } = doc;
  if (orders.length === 0 || orders.length > MAX_ORDERS) problem("/orders", `must hold 1 to ${MAX_ORDERS} orders`);
  const ids = new Set();
  const cents = Object.fromEntries(CURRENCIES.map((c) => [c, 0]));
  let items = 0;
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i];
    const at = `/orders/${i}`;
    if (!isObject(o)) {
      problem(at, "must be an object");
      continue;
    }
    if (typeof o.id !== "string" || o.id.length === 0 || o.id.length > 64) problem(`${at}/id`, "must be a string of 1 to 64 characters");
    else if (ids.has(o.id)) problem(`${at}/id`, `repeats the id "${o.id}"`);
    else ids.add(o.id);
    if (typeof o.createdAt !== "string" || !ISO_DATE.test(o.createdAt) || Number.isNaN(Date.parse(o.createdAt))) {
      problem(`${at}/createdAt`, "must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z");
    }
    const currencyOk = CURRENCIES.includes(o.currency);
    if (!currencyOk) problem(`${at}/currency`, `must be one of ${CURRENCIES.join(", ")}`);
    if (!isObject(o.customer)) problem(`${at}/customer`, "must be an object with name and email");
    else {
      if (typeof o.customer.name !== "string" || o.customer.name.trim() === "") problem(`${at}/customer/name`, "must be a non-empty string");
      if (typeof o.customer.email !== "string" || !EMAIL.test(o.customer.email)) problem(`${at}/customer/email`, "must be an email address");
    }
    if (!Array.isArray(o.items) || o.items.length === 0) {
      problem(`${at}/items`, "must be a non-empty array");
      continue;
    }
    for (let j = 0; j < o.items.length; j++) {
      const item = o.items[j];
      const it = `${at}/items/${j}`;
      if (!isObject(item)) {
        problem(it, "must be an object");
        continue;
      }
      items++;
      if (typeof item.sku !== "string" || !SKU.test(item.sku)) problem(`${it}/sku`, "must look like ABC-1234");
      const qtyOk = Number.isInteger(item.qty) && item.qty >= 1 && item.qty <= 1000;
      if (!qtyOk) problem(`${it}/qty`, "must be an integer from 1 to 1000");
      const priceCents = typeof item.price === "number" ? Math.round(item.price * 100) : NaN;
      const priceOk = Number.isFinite(item.price) && item.price >= 0 && Math.abs(priceCents - item.price * 100) < 1e-6;
      if (!priceOk) problem(`${it}/price`, "must be a number ≥ 0 with at most 2 decimals");
      if (qtyOk && priceOk && currencyOk) cents[o.currency] += item.qty * priceCents;
    }
  }
  if (problemCount > 0) return { valid: false, problemCount, problems };
  const totals = {};
  for (const c of CURRENCIES) if (cents[c] > 0) totals[c] = cents[c] / 100;
  return { valid: true, orders: orders.length, items, totals };
}

/**
 * A valid orders document of `count` orders (deterministic: the same count gives the same
 * document), for load runs and tests.
 * @param {number} count
 * @returns {{ orders: object[] }}
 */
export function sampleOrders(count) {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const orders = [];
  for (let i = 0; i < count; i++) {
    const items = [];
    const n = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < n; j++) {
      items.push({
        sku: `${String.fromCharCode(65 + (i % 26), 65 + (j % 26), 65 + ((i + j) % 26))}-${String(Math.floor(rand() * 10000)).padStart(4, "0")}`,
        qty: 1 + Math.floor(rand() * 9),
        price: Math.round(rand() * 10000) / 100,
      });
    }
    orders.push({
      id: `o-${i + 1}`,
      createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      currency: CURRENCIES[i % CURRENCIES.length],
      customer: { name: `Customer ${i % 1000}`, email: `customer${i % 1000}@example.com` },
      items,
    });
  }
  return { orders };
}
