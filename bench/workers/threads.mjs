import { expose, Transfer } from "threads/worker";
import { burn as burnLoop } from "../work.mjs";

expose({
  echo: (v) => v,
  roundtrip: (buf) => Transfer(buf),
  copy: (buf) => buf,
  burn: (n) => burnLoop(n),
});
