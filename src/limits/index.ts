export {
  LimitTracker,
  gunLimitOf,
  limitTrackerOptionsFromConfig,
  type GunLimitState,
  type LimitResult,
  type LimitSnapshot,
  type LimitTrackerOptions,
  type SiteLimitSource,
} from "./limit-tracker";
