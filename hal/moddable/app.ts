/**
 * Device application: boots the controller with the cabinet configuration and
 * logs its one-line summary through trace().
 */
import { boot } from "../../src/main";
import { TraceLog } from "./trace-log";

const log = new TraceLog();
const result = boot({ log, config: "ring-12x2" });
if (!result.config) log.write("error", "controller halted: configuration rejected");
