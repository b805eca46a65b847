export * from "./event-log";
