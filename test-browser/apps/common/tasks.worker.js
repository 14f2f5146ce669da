// The app's worker file in the serve() style: bundlers that follow new Worker(new URL(...)) bundle it.
import { serve } from "isofutures/worker";
import { fib } from "./tasks.js";

serve({ fib });
