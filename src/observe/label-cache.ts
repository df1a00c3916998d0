/**
 * Pre-bound label children of one metric, found by nested map look-ups: the hot path (a step
 * attempt, a run's end) neither joins label strings nor lets prom-client hash a label object.
 */
export class LabelCache<C> {
  readonly #root = new Map<string, unknown>();

  constructor(private readonly make: (values: string[]) => C) {}

  get(...values: string[]): C {
    let node = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    let leaf = node.get(values[last]!) as C | undefined;
    if (leaf === undefined) {
      leaf = this.make(values);
      node.set(values[last]!, leaf);
    }
    return leaf;
  }
}
