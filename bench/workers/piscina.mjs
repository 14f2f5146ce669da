import Piscina from "piscina";
import { burn as burnLoop } from "../work.mjs";

export const echo = (v) => v;
export const roundtrip = (buf) => Piscina.move(buf);
export const copy = (buf) => buf;
export const burn = (n) => burnLoop(n);
export default echo;
