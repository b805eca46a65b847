export { Scheduler } from "./scheduler";
export { SlicedJob, type SliceBudget, type SliceOutcome } from "./sliced-job";
export { VirtualClock, VirtualTimerDriver } from "./virtual-timer";
export { defaultTaskBudgets, standardTasks, type StandardTaskBudgets, type StandardTaskRuns } from "./standard-tasks";
export type { SchedulerOptions, SchedulerResult, TaskContext, TaskReport, TaskSpec, TimerDriver } from "./types";
