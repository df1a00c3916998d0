/**
 * A run's plan: its version's plan plus the steps its planning steps produced. Derived only from
 * durable data — a planning step's output, committed with the rows of the steps it planned — so
 * every node that claims the run derives the same plan, and a resumed run never plans again.
 *
 * Planned steps follow their planner in the plan's order; a step that needs the planner (and is
 * not one of its steps) also needs the plan's last steps (its sinks), so "after the planner"
 * means "after what it planned". Nested planners expand the same way, in order.
 */
import { planStep } from '../definition/plan.js';
import { isPlanningStep, planSinks } from '../definition/planning.js';
import { isRecord } from '../definition/json-path.js';
import type { Plan, PlanStep, StepDef } from '../definition/types.js';
import { StepStatus } from '../states.js';

export interface PlannerRow {
  step_id: string;
  status: string;
  output: string | null;
}

/** The steps a succeeded planning step produced, from its stored output; null when none (yet). */
export function plannedStepsOf(row: PlannerRow | undefined): StepDef[] | null {
  if (!row || row.status !== StepStatus.succeeded || row.output === null) return null;
  const output = JSON.parse(row.output) as unknown;
  return isRecord(output) && Array.isArray(output.steps) ? (output.steps as StepDef[]) : null;
}

export function runPlan(base: Plan, rows: Map<string, PlannerRow>): Plan {
  if (!base.steps.some(isPlanningStep)) return base;
  const steps = [...base.steps];
  for (let i = 0; i < steps.length; i++) {
    const planner = steps[i]!;
    if (!isPlanningStep(planner)) continue;
    const planned = plannedStepsOf(rows.get(planner.id));
    if (planned === null) continue;
    const joined = planned.map((def): PlanStep => ({ ...planStep(def, def.needs ?? [planner.id], base.defaultRetry, false), plannedBy: planner.id }));
    const sinks = planSinks(joined);
    const inside = (id: string): boolean => id.startsWith(`${planner.id}.`);
    for (let j = 0; j < steps.length; j++) {
      const step = steps[j]!;
      if (inside(step.id) || !step.needs.includes(planner.id)) continue;
      steps[j] = { ...step, needs: [...new Set([...step.needs, ...sinks])] };
    }
    steps.splice(i + 1, 0, ...joined);
  }
  return { ...base, steps };
}

/** Transitive effective needs of one step of a plan. */
export function upstreamOf(plan: Plan, id: string): string[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const queue = [...(byId.get(id)?.needs ?? [])];
  while (queue.length > 0) {
    const need = queue.pop()!;
    if (seen.has(need)) continue;
    seen.add(need);
    queue.push(...(byId.get(need)?.needs ?? []));
  }
  return [...seen];
}
