// The app's worker file in the serve() style: bundlers that follow new Worker(new URL(...)) bundle it.
import { Pipe } from "isofutures";
import { serve } from "isofutures/worker";
import { fib } from "./tasks.js";

serve({
  fib,
  // One end of a pipe holding fib(n), for the page to receive from.
  pipeEnd(n) {
    const [forPage, kept] = Pipe();
    kept.send(fib(n));
    return forPage;
  },
});
