import { expect, waitUntil } from '@open-wc/testing';
import { ChatSession } from '../../src/core/chat-session.js';
import type { ChatEvent, ChatMessage } from '../../src/core/types.js';
import { FakeClock } from '../support/fake-clock.js';
import { failure, numbered, resumableTransport } from '../support/scripted-transport.js';
import type { ResumeScript, TransportStep } from '../support/scripted-transport.js';

const delta = (text: string): ChatEvent => ({ type: 'delta', text });
const end: ChatEvent[] = [{ type: 'finish', reason: 'stop' }, { type: 'done' }];

function session(script: ResumeScript, ...steps: TransportStep[]) {
  const clock = new FakeClock();
  const statuses: string[] = [];
  const transport = resumableTransport(script, ...steps);
  const chat: ChatSession = new ChatSession({
    endpoint: '/api/chat',
    transport,
    clock,
    random: () => 0.5,
    onChange: () => {
      if (statuses.at(-1) !== chat.status) statuses.push(chat.status);
    },
  });
  return { chat, clock, transport, statuses };
}

const last = (chat: ChatSession) => chat.messages.at(-1) as ChatMessage;

describe('resumable streams (DESIGN §4b)', () => {
  it('picks a cut stream up where the last delivered event left off: exactly the missing text, status reconnecting meanwhile', async () => {
    const { chat, clock, transport, statuses } = session(
      { resumeSteps: [numbered('s1', 2, [delta('lazy '), delta('dog.'), ...end], 'done')] },
      numbered('s1', 0, [delta('The quick fox jumps over the '), delta('')], 'cut'),
    );
    const turn = chat.send('Q');
    await waitUntil(() => chat.status === 'reconnecting', 'reconnecting');
    // While the connection is down, nothing is sent again: one request, and a resume after a short wait.
    expect(transport.attempts).to.have.length(1);
    await clock.advance(500);
    await turn;
    expect(last(chat)).to.deep.include({ content: 'The quick fox jumps over the lazy dog.', status: 'complete' });
    expect(transport.resumes).to.deep.equal([{ request: transport.attempts[0]?.request, cursor: { streamId: 's1', lastEventId: 's1:2' } }]);
    expect(last(chat).metrics).to.include({ attempts: 1, resumes: 1 });
    expect(last(chat).resumeFrom).to.equal(undefined);
    expect(statuses).to.include.members(['connecting', 'streaming', 'reconnecting']);
  });

  it('tries a bounded number of times, then ends interrupted with the text it had', async () => {
    const { chat, clock, transport } = session(
      { resumeSteps: [numbered('s2', 1, [], 'cut')] },
      numbered('s2', 0, [delta('Partial answer')], 'cut'),
    );
    let ended = false;
    const turn = chat.send('Q').then(() => (ended = true));
    for (let i = 0; i < 50 && !ended; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await clock.advance(1000);
    }
    await turn;
    expect(transport.resumes).to.have.length(3);
    expect(last(chat)).to.deep.include({ content: 'Partial answer', status: 'interrupted' });
    expect(last(chat).error).to.deep.include({ kind: 'network_error', phase: 'mid_stream' });
    expect(last(chat).metrics?.resumes).to.equal(3);
  });

  it('stops asking when a resume is answered but ends cleanly with nothing new (the generation is over)', async () => {
    const emptyEnd: TransportStep = async function* (_request, options) {
      options.onResponse?.({ status: 200, headers: new Headers() });
      yield { type: 'error', error: { cause: 'eof', message: 'closed' } };
    };
    const { chat, clock, transport } = session({ resumeSteps: [emptyEnd] }, numbered('s7', 0, [delta('Cut here')], 'cut'));
    const turn = chat.send('Q');
    await waitUntil(() => chat.status === 'reconnecting', 'reconnecting');
    await clock.advance(1000);
    await turn;
    expect(transport.resumes).to.have.length(1);
    expect(last(chat)).to.deep.include({ content: 'Cut here', status: 'interrupted' });
  });

  it('a stream the server no longer has (404) ends as the cut it is, never as a bad request', async () => {
    const { chat, clock } = session(
      { resumeSteps: [failure({ status: 404, code: 'stream_not_found', cause: 'http' })] },
      numbered('s3', 0, [delta('Half')], 'cut'),
    );
    const turn = chat.send('Q');
    await waitUntil(() => chat.status === 'reconnecting', 'reconnecting');
    await clock.advance(1000);
    await turn;
    expect(last(chat)).to.deep.include({ content: 'Half', status: 'interrupted' });
    expect(last(chat).error?.kind).to.equal('network_error');
  });

  it('Stop asks the server to stop the generation, then aborts', async () => {
    const { chat, transport } = session({ resumeSteps: [] }, numbered('s4', 0, [delta('Going on')], 'hang'));
    const turn = chat.send('Q');
    await waitUntil(() => last(chat).content === 'Going on', 'streaming');
    chat.stop();
    await turn;
    expect(transport.stops).to.deep.equal(['s4']);
    expect(transport.attempts[0]?.aborted).to.equal(true);
    expect(last(chat).status).to.equal('stopped');
  });

  it('after a reload, picks the interrupted answer up once, from its last event', async () => {
    const { chat, transport } = session({ resumeSteps: [numbered('s5', 7, [delta(' and the rest.'), ...end], 'done')] });
    chat.setMessages([
      { id: 'u', role: 'user', content: 'Q', status: 'complete', createdAt: 1 },
      {
        id: 'a',
        role: 'assistant',
        content: 'Text so far',
        status: 'streaming',
        createdAt: 2,
        metrics: { attempts: 1, ttftMs: 300 },
        resumeFrom: { streamId: 's5', lastEventId: 's5:7' },
      },
    ]);
    expect(last(chat).status).to.equal('interrupted');
    expect(await chat.resumeInterrupted()).to.equal(true);
    expect(transport.resumes[0]?.cursor).to.deep.equal({ streamId: 's5', lastEventId: 's5:7' });
    expect(transport.attempts).to.have.length(0);
    expect(last(chat)).to.deep.include({ content: 'Text so far and the rest.', status: 'complete' });
    expect(last(chat).error).to.equal(undefined);
    // TTFT stays what the user waited the first time.
    expect(last(chat).metrics).to.include({ ttftMs: 300, resumes: 1 });
    expect(await chat.resumeInterrupted()).to.equal(false);
  });

  it('after a reload, a stream the server no longer has stays interrupted exactly as restored', async () => {
    const { chat } = session({ resumeSteps: [failure({ status: 404, code: 'stream_not_found', cause: 'http' })] });
    chat.setMessages([
      { id: 'u', role: 'user', content: 'Q', status: 'complete', createdAt: 1 },
      { id: 'a', role: 'assistant', content: 'Kept', status: 'streaming', createdAt: 2, resumeFrom: { streamId: 's6' } },
    ]);
    const restored = structuredClone(last(chat));
    expect(await chat.resumeInterrupted()).to.equal(false);
    expect(last(chat)).to.deep.include({ content: 'Kept', status: 'interrupted' });
    expect(last(chat).error).to.deep.equal(restored.error);
    expect(chat.status).to.equal('error');
  });
});
