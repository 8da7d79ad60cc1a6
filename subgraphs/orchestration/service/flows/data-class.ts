import type { DataClass } from '../../clients/inference-client.js';
import type { FlowDefinition, FlowStep } from './flow-definition.js';

const ORDER: readonly DataClass[] = ['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'];

/** The higher of two data classes. */
export const higher = (a: DataClass, b: DataClass): DataClass =>
  ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;

/** Every collection the definition's retrieve steps read, nested steps included. */
export function collectionsRead(definition: FlowDefinition): string[] {
  const found = new Set<string>();
  const walk = (steps: FlowStep[]) => {
    for (const step of steps) {
      if (step.kind === 'retrieve') found.add(step.collection);
      else if (step.kind === 'map') walk(step.steps);
      else if (step.kind === 'branch') {
        for (const option of step.cases) walk(option.steps);
        walk(step.otherwise ?? []);
      }
    }
  };
  walk(definition.steps);
  return [...found];
}
