export * from "./types";
export { plan } from "./plan";
export { waterFill, deratingFactor, gunRatingKW, compareFairness, fairnessProfile, EPSILON_KW } from "./limits";
export { moduleCountFor, selectModules, thresholdFactor } from "./modules";
