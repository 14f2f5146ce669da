// The overview page: only the shared layout.
import { mountLayout } from "./site.js";

mountLayout();
