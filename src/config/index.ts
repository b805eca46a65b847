export * from "./types";
export * from "./defaults";
export * from "./builtin";
export * from "./validate";
export * from "./cabinet-index";
