export * from "./observer";
export * from "./report";
