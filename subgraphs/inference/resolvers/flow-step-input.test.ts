import { badInput, thrownBy } from '../../../test/support/thrown.js';
import { flowStepOf } from './flow-step-input.js';

const HOLD = '00000000-0000-4000-8000-0000000000AB';
const orchestration = { actor: 'service:orchestration' };

describe('flowStepOf', () => {
  it('is absent when the call names no flow step', () => {
    expect(flowStepOf({}, undefined)).toBeUndefined();
    expect(flowStepOf({}, null)).toBeUndefined();
  });

  it('takes a flow step from orchestration acting for a caller, the hold id in lowercase', () => {
    expect(flowStepOf(orchestration, { holdId: HOLD, stepKey: 'run:answer' })).toEqual({
      holdId: HOLD.toLowerCase(),
      stepKey: 'run:answer',
    });
  });

  it('refuses anyone else: a direct call, another actor', () => {
    for (const ctx of [{}, { actor: 'service:billing' }]) {
      expect(thrownBy(() => flowStepOf(ctx, { holdId: HOLD, stepKey: 'k' }))).toMatchObject({
        extensions: { code: 'FORBIDDEN' },
      });
    }
  });

  it('refuses a hold id that is not a UUID and a step key outside 1 to 255 characters', () => {
    const cases = [
      [{ holdId: 'hold-1', stepKey: 'k' }, 'flowStep.holdId'],
      [{ holdId: HOLD, stepKey: '' }, 'flowStep.stepKey'],
      [{ holdId: HOLD, stepKey: 'k'.repeat(256) }, 'flowStep.stepKey'],
    ] as const;
    for (const [input, field] of cases) {
      expect(thrownBy(() => flowStepOf(orchestration, input))).toMatchObject(badInput(field));
    }
  });
});
