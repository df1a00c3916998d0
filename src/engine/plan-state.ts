/**
 * Pure reading of a run's plan against its steps' statuses: which steps may start, and whether
 * (and how) the run is over.
 */
import type { Plan, PlanStep } from '../definition/types.js';
import { StepStatus, isTerminalStep } from '../states.js';

export interface StepState {
  status: StepStatus;
}

/** A dependency is met when it succeeded, was skipped, or failed with continue_on_error. */
function depMet(plan: Plan, states: Map<string, StepState>, id: string): boolean {
  const s = states.get(id)?.status;
  if (s === StepStatus.succeeded || s === StepStatus.skipped) return true;
  if (s === StepStatus.failed) return plan.steps.find((p) => p.id === id)?.continueOnError === true;
  return false;
}

export function hardFailure(plan: Plan, states: Map<string, StepState>): PlanStep | undefined {
  return plan.steps.find((p) => states.get(p.id)?.status === StepStatus.failed && !p.continueOnError);
}

/** Main-plan steps that are pending with every dependency met. */
export function readySteps(plan: Plan, states: Map<string, StepState>): PlanStep[] {
  return plan.steps.filter((p) => states.get(p.id)?.status === StepStatus.pending && p.needs.every((d) => depMet(plan, states, d)));
}

export function mainPlanDone(plan: Plan, states: Map<string, StepState>): boolean {
  return plan.steps.every((p) => isTerminalStep(states.get(p.id)?.status ?? StepStatus.pending));
}

/** The next on_failure step to run (they run one after another), or undefined when all ran. */
export function nextOnFailureStep(plan: Plan, states: Map<string, StepState>): PlanStep | undefined {
  return plan.onFailure.find((p) => states.get(p.id)?.status === StepStatus.pending);
}

/** The run's output: the output of the last main step that succeeded. */
export function runOutputStepId(plan: Plan, states: Map<string, StepState>): string | undefined {
  for (let i = plan.steps.length - 1; i >= 0; i--) {
    if (states.get(plan.steps[i].id)?.status === StepStatus.succeeded) return plan.steps[i].id;
  }
  return undefined;
}
