export * from "./observer";
