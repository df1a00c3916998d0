/** The planner automation and plan the saved-workflow tests share. */

export function plannerDefinition(name: string, plan: unknown = { allow: ['agent', 'set'], max_steps: 5 }) {
  return {
    name,
    inputs: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
    steps: [
      { id: 'research', action: 'agent', with: { prompt: 'Plan a short digest about {{ inputs.topic }}', plan } },
      { id: 'publish', action: 'set', with: { published: true } },
    ],
  };
}

export const PLAN = {
  steps: [
    { id: 'gather', action: 'set', with: { sources: ['a', 'b'] } },
    { id: 'write', action: 'agent', with: { prompt: 'Write a digest about {{ inputs.topic }} from {{ steps.gather.output.sources | json }}' }, retry: { max_retries: 2 } },
  ],
};
