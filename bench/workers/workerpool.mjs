import workerpool from "workerpool";
import { burn as burnLoop } from "../work.mjs";

workerpool.worker({
  echo: (v) => v,
  roundtrip: (buf) => new workerpool.Transfer(buf, [buf]),
  copy: (buf) => buf,
  burn: (n) => burnLoop(n),
});
