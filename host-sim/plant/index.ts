export * from "./prng";
export * from "./params";
export * from "./contactor";
export * from "./power-module";
export * from "./ev";
export * from "./plant";
export * from "./snapshot";
