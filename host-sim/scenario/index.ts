export * from "./types";
export * from "./validate";
export * from "./injector";
export * from "./fleet-day";
export * from "./simulation";
export * from "./window";
