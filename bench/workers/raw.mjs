// Worker of the hand-written baseline pools (`raw` and `raw-batched`).
//
// raw:          receives [id, name, arg], replies [id, ok, value]: one message per task each way.
// raw-batched:  receives [id, name, arg, id, name, arg, …] (every task the main thread submitted
//               in one tick), replies once per batch with [id, ok, value, id, ok, value, …].
import { parentPort, workerData } from "node:worker_threads";
import { burn, inc, incChunk } from "../work.mjs";

class Moved {
  constructor(value, list) {
    this.value = value;
    this.list = list;
  }
}

const tasks = {
  echo: (v) => v,
  roundtrip: (buf) => new Moved(buf, [buf]),
  copy: (buf) => buf,
  burn,
  inc,
  incChunk,
};

function run(name, arg, out, transferList) {
  try {
    const r = tasks[name](arg);
    if (r instanceof Moved) {
      out.push(1, r.value);
      for (const t of r.list) transferList.push(t);
    } else {
      out.push(1, r);
    }
  } catch (err) {
    out.push(0, err instanceof Error ? err.message : String(err));
  }
}

if (workerData?.batched) {
  parentPort.on("message", (msg) => {
    const out = [];
    const transferList = [];
    for (let i = 0; i < msg.length; i += 3) {
      out.push(msg[i]);
      run(msg[i + 1], msg[i + 2], out, transferList);
    }
    parentPort.postMessage(out, transferList);
  });
} else {
  parentPort.on("message", (msg) => {
    const out = [msg[0]];
    const transferList = [];
    run(msg[1], msg[2], out, transferList);
    parentPort.postMessage(out, transferList);
  });
}
