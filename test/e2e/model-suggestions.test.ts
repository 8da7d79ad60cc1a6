import { expectErrorCode } from '../support/graphql-client.js';
import { createCallingTeam, GENERATE, type CallingTeam } from '../support/inference-setup.js';
import { startStack, type Stack } from '../support/stack.js';

// A newcomer's first call names the model as its vendor does; the answer says which id exists.
describe('a bare model name through the gateway', () => {
  let stack: Stack;
  let team: CallingTeam;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded' });
    team = await createCallingTeam(stack, { name: 'Newcomers' });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers generate with NOT_FOUND and "Did you mean openai/gpt-4o-mini?"', async () => {
    const error = expectErrorCode(
      await team.call(GENERATE, {
        i: { model: 'gpt-4o-mini', messages: [{ role: 'USER', content: 'hi' }] },
      }),
      'NOT_FOUND',
    );
    expect(error.message).toBe(
      'Model or route "gpt-4o-mini" does not exist. Did you mean openai/gpt-4o-mini?',
    );
    expect(error.extensions?.suggestions).toEqual(['openai/gpt-4o-mini']);
  });

  it('keeps NOT_FOUND plain for a name nothing resembles', async () => {
    const error = expectErrorCode(
      await team.call(GENERATE, {
        i: { model: 'nothing-like-it', messages: [{ role: 'USER', content: 'hi' }] },
      }),
      'NOT_FOUND',
    );
    expect(error.message).toBe('Model or route "nothing-like-it" does not exist.');
  });
});
