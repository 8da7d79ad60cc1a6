import { startOpenAiEmulator } from '../test/support/provider-emulators.js';

/*
 * The provider every system in bench:compare calls: one OpenAI emulator answering at once (0 ms),
 * in a process of its own so that no platform's CPU figure includes it and no platform gets it for
 * free. It answers its parent over IPC: `{ cmd: 'count' }` is answered with the requests since the
 * last count, `{ cmd: 'stop' }` closes it.
 */
export type EmulatorCommand = { cmd: 'count' } | { cmd: 'stop' };
export type EmulatorReply =
  { type: 'ready'; baseUrl: string } | { type: 'count'; requests: number } | { type: 'stopped' };

const send = (reply: EmulatorReply, then: () => void = () => undefined) =>
  process.send?.(reply, then);

const emulator = await startOpenAiEmulator({ latencyMs: 0 });
let counted = 0;
// Only the number matters here: the request log is emptied often (reset keeps the options), so it
// never grows large.
const folding = setInterval(() => {
  counted += emulator.requests.length;
  emulator.reset();
}, 200);

process.on('message', async (command: EmulatorCommand) => {
  if (command.cmd === 'count') {
    send({ type: 'count', requests: counted + emulator.requests.length });
    counted = 0;
    emulator.reset();
  } else {
    clearInterval(folding);
    await emulator.close();
    send({ type: 'stopped' }, () => process.exit(0));
  }
});

send({ type: 'ready', baseUrl: emulator.baseUrl });
