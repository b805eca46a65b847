/**
 * Device application: starts the cabinet through `./cabinet-runtime`, which the
 * manifest maps per platform — on esp32 the device runtime (board drivers), on lin
 * (the Moddable simulator, mcsim) `sim-runtime`: the real controller on the simulated plant.
 */
import { startCabinet } from "./cabinet-runtime";
import { TraceLog } from "./trace-log";

startCabinet(new TraceLog());
