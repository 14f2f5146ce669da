// poolifier moves task data in (transferList) but always clones a task's result: the
// `roundtrip` result comes back by copy.
import { ThreadWorker } from "poolifier";
import { burn as burnLoop } from "../work.mjs";

export default new ThreadWorker({
  echo: (v) => v,
  roundtrip: (buf) => buf,
  copy: (buf) => buf,
  burn: (n) => burnLoop(n),
});
