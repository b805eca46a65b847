export { ModuleManager } from "./manager";
export type { ManagedModule, ModuleHealth, ModuleManagerOptions, ModuleManagerStats, ModuleState } from "./manager";
