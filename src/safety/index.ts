export * from "./faults";
export * from "./supervisor";
export * from "./core";
