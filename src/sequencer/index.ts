export * from "./sequencer";
export * from "./invariants";
export * from "./topology";
