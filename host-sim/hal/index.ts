export * from "./host-hal";
export * from "./runner";
