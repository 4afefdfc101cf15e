import type { CommandSpec } from "../command.js";
import run from "./run.js";
import validate from "./validate.js";
import list from "./list.js";
import up from "./up.js";
import image from "./image.js";
import gc from "./gc.js";
import doctor from "./doctor.js";
import engine from "./engine.js";
import merge from "./merge.js";
import explore from "./explore.js";
import report from "./report.js";
import compare from "./compare.js";
import runUnit from "./run-unit.js";

/** Every command, in the order `pgchaos --help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [run, explore, merge, report, compare, validate, list, up, image, gc, doctor, engine, runUnit];
