import { countTokens } from '../../providers/token-count.js';
import { createReplyParts } from './reply-parts.js';

describe('createReplyParts', () => {
  it('puts text and tool calls together from their pieces, in index order', () => {
    const parts = createReplyParts();
    parts.add({ text: 'Let me ', toolCalls: [] });
    parts.add({ text: 'check.', toolCalls: [] });
    parts.add({
      text: '',
      toolCalls: [
        { index: 1, id: 'call_2', name: 'time', arguments: '{"tz":' },
        { index: 0, id: 'call_1', name: 'weather', arguments: '{"city":' },
      ],
    });
    parts.add({
      text: '',
      toolCalls: [
        { index: 0, arguments: '"Paris"}' },
        { index: 1, arguments: '"UTC"}' },
      ],
    });
    expect(parts.text).toBe('Let me check.');
    expect(parts.toolCalls()).toEqual([
      { id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { id: 'call_2', name: 'time', arguments: '{"tz":"UTC"}' },
    ]);
    expect(parts.outputTokens()).toBe(
      countTokens('Let me check.') +
        countTokens('weather{"city":"Paris"}') +
        countTokens('time{"tz":"UTC"}'),
    );
  });

  it('counts nothing for nothing delivered', () => {
    expect(createReplyParts().outputTokens()).toBe(0);
  });
});
