import { expect, waitUntil } from '@open-wc/testing';
import { ChatSession } from '../../src/core/chat-session.js';
import type { ChatSessionOptions } from '../../src/core/chat-session.js';
import type { ChatTools } from '../../src/core/tool-runner.js';
import type { ChatEvent, ChatMessage } from '../../src/core/types.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { answer, events as played, manual, scriptedTransport } from '../support/scripted-transport.js';
import type { ScriptedTransport, TransportStep } from '../support/scripted-transport.js';

const call = (id: string, name: string, args: string): ChatEvent => ({ type: 'tool-call', toolCall: { id, name, arguments: args } });
const finish = (reason: string): ChatEvent => ({ type: 'finish', reason });

/** An answer that calls tools and ends `tool_calls`. */
const callsTools = (...calls: ChatEvent[]): TransportStep => played([...calls, finish('tool_calls')]);

function session(steps: TransportStep[], tools: ChatTools, extra: Partial<ChatSessionOptions> = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  const transport: ScriptedTransport = scriptedTransport(...steps);
  const chat = new ChatSession({
    endpoint: '/api/chat',
    transport,
    clock,
    tools,
    onToolCall: (d) => log.push(`tool-call:${d.toolCall.name}`),
    onFinish: (d) => log.push(`finish:${d.message.status}`),
    ...extra,
  });
  return { chat, clock, transport, log };
}

const messagesOf = (transport: ScriptedTransport, index: number) =>
  (transport.attempts[index]?.request.body as { messages: Array<Record<string, unknown>> }).messages;
const answers = (chat: ChatSession) => chat.messages.filter((m) => m.role === 'assistant');
const last = (chat: ChatSession) => answers(chat).at(-1) as ChatMessage;

const weather: ChatTools = {
  get_weather: {
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    execute: (args) => ({ city: (args as { city: string }).city, celsius: 21 }),
  },
};

describe('the tool loop', () => {
  it('starts a tool the moment its call is complete, while text still streams', async () => {
    const script = manual();
    const started: string[] = [];
    const tools: ChatTools = {
      lookup: {
        execute: async (args, context) => {
          started.push(`execute:${JSON.stringify(args)}:${context.toolCallId}`);
          return 'found';
        },
      },
    };
    const { chat, transport } = session([script.step, answer(['Done.'])], tools);
    const turn = chat.send('Look it up');
    await waitUntil(() => script.started);
    script.respond();
    script.push(call('c1', 'lookup', '{"q":"x"}'));
    await waitUntil(() => started.length === 1, 'the tool started');
    // The answer is still streaming: text after the call has not even arrived yet.
    expect(last(chat).status).to.equal('streaming');
    script.push({ type: 'delta', text: 'Let me check.' });
    script.push(finish('tool_calls'));
    script.end();
    await turn;
    expect(started).to.deep.equal(['execute:{"q":"x"}:c1']);
    expect(transport.attempts).to.have.length(2);
    expect(last(chat).content).to.equal('Done.');
  });

  it('sends the follow-up with the calls and their results, its messages starting with the previous request', async () => {
    const { chat, transport, log } = session(
      [
        callsTools(call('c1', 'get_weather', '{"city":"Oslo"}'), call('c2', 'get_weather', '{"city":"Rome"}')),
        answer(['Oslo 21°, Rome 21°.']),
      ],
      weather,
      { system: 'Be brief.' },
    );
    expect(await chat.send('Weather in Oslo and Rome?')).to.equal(true);
    const first = messagesOf(transport, 0);
    const second = messagesOf(transport, 1);
    // Byte-identical prefix: prefix caches keep hitting.
    expect(JSON.stringify(second).startsWith(JSON.stringify(first).slice(0, -1))).to.equal(true);
    expect(second.slice(first.length)).to.deep.equal([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"city":"Oslo","celsius":21}' },
      { role: 'tool', tool_call_id: 'c2', content: '{"city":"Rome","celsius":21}' },
    ]);
    const tools = (transport.attempts[0]?.request.body as { tools: unknown[] }).tools;
    expect(tools).to.deep.equal([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Current weather for a city', parameters: weather['get_weather']?.parameters },
      },
    ]);
    // Each model response is its own message with its own finish; the calls keep their results.
    expect(log).to.deep.equal(['tool-call:get_weather', 'tool-call:get_weather', 'finish:tool_calls', 'finish:complete']);
    expect(chat.messages.map((m) => m.role)).to.deep.equal(['user', 'assistant', 'tool', 'tool', 'assistant']);
    expect(answers(chat)[0]?.toolCalls?.map((c) => [c.status, c.result])).to.deep.equal([
      ['done', '{"city":"Oslo","celsius":21}'],
      ['done', '{"city":"Rome","celsius":21}'],
    ]);
    expect(chat.status).to.equal('idle');
  });

  it('returns invalid JSON and schema failures to the model as error results, without running the tool', async () => {
    let runs = 0;
    const tools: ChatTools = { get_weather: { ...weather['get_weather'], execute: () => ++runs } };
    const { chat, transport } = session(
      [
        callsTools(call('c1', 'get_weather', '{"city": Oslo}'), call('c2', 'get_weather', '{"town":"Oslo"}'), call('c3', 'nope', '{}')),
        answer(['Sorry.']),
      ],
      tools,
    );
    await chat.send('Weather?');
    expect(runs).to.equal(0);
    const results = messagesOf(transport, 1).filter((m) => m['role'] === 'tool');
    expect(results.map((m) => JSON.parse(String(m['content'])).error)).to.satisfy((errors: string[]) => {
      expect(errors[0]).to.match(/not valid JSON/);
      expect(errors[1]).to.match(/do not match the tool's schema/);
      expect(errors[1]).to.match(/city/);
      expect(errors[2]).to.match(/no tool named "nope"/);
      return true;
    });
    expect(answers(chat)[0]?.toolCalls?.map((c) => c.status)).to.deep.equal(['error', 'error', 'error']);
  });

  it('never sends more than max-tool-rounds follow-ups, and says which bound ended the turn', async () => {
    let runs = 0;
    const tools: ChatTools = { again: { execute: () => ++runs } };
    const { chat, transport, log } = session([callsTools(call('c1', 'again', '{}')), callsTools(call('c2', 'again', '{}'))], tools, {
      maxToolRounds: 1,
    });
    await chat.send('Loop forever');
    expect(transport.attempts).to.have.length(2);
    // The second answer's tool never ran: no follow-up could carry its result.
    expect(runs).to.equal(1);
    expect(last(chat).status).to.equal('tool_calls');
    expect(last(chat).error).to.deep.include({ kind: 'tool_limit', code: 'max_tool_rounds', retryable: false });
    expect(last(chat).toolCalls?.[0]?.status).to.equal('cancelled');
    expect(log.at(-1)).to.equal('finish:tool_calls');
    expect(chat.status).to.equal('idle');
  });

  it('aborts a tool past tool-timeout and ends the turn without sending anything more', async () => {
    let aborted: unknown;
    const tools: ChatTools = {
      slow: {
        execute: (_args, { signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject((aborted = signal.reason)), { once: true })),
      },
    };
    const { chat, clock, transport } = session([callsTools(call('c1', 'slow', '{}')), answer(['never'])], tools, { toolTimeoutMs: 2000 });
    const turn = chat.send('Go');
    await waitUntil(() => chat.runningTools.length === 1, 'running');
    await clock.advance(1999);
    expect(chat.busy).to.equal(true);
    await clock.advance(1);
    await turn;
    expect(aborted).to.equal('llm-chat:tool-timeout');
    expect(transport.attempts).to.have.length(1);
    expect(last(chat).error).to.deep.include({ kind: 'tool_limit', code: 'tool_timeout' });
    expect(last(chat).toolCalls?.[0]).to.deep.include({ status: 'error', result: '{"error":"The tool did not finish within 2 s."}' });
    // The result is kept in the transcript, so the next request is still a valid conversation.
    expect(chat.messages.at(-1)).to.deep.include({ role: 'tool', toolCallId: 'c1' });
  });

  it('Stop aborts a running tool (its signal fires) and sends nothing more', async () => {
    let signal: AbortSignal | undefined;
    const tools: ChatTools = { wait: { execute: (_args, context) => ((signal = context.signal), new Promise(() => {})) } };
    const { chat, transport } = session([callsTools(call('c1', 'wait', '{}')), answer(['never'])], tools);
    const turn = chat.send('Go');
    await waitUntil(() => signal !== undefined, 'running');
    chat.stop();
    await turn;
    expect(signal?.aborted).to.equal(true);
    expect(transport.attempts).to.have.length(1);
    expect(last(chat).toolCalls?.[0]?.status).to.equal('cancelled');
    expect(chat.busy).to.equal(false);
    // Retry runs it again (it never finished).
    expect(chat.canRetry(last(chat))).to.equal(true);
  });

  it('takes a page-handled result from addToolResult, even from inside the tool-call event', async () => {
    const holder: { chat?: ChatSession } = {};
    const { chat, transport } = session(
      [callsTools(call('c1', 'pick_color', '{}')), answer(['Blue it is.'])],
      { pick_color: { description: 'Ask the user' } },
      {
        onToolCall: ({ toolCall }) => holder.chat?.addToolResult(toolCall.id, { color: 'blue' }),
      },
    );
    holder.chat = chat;
    await chat.send('Pick a color');
    expect(messagesOf(transport, 1).at(-1)).to.deep.equal({ role: 'tool', tool_call_id: 'c1', content: '{"color":"blue"}' });
    expect(last(chat).content).to.equal('Blue it is.');
    expect(chat.addToolResult('c1', 'again')).to.equal(false);
  });

  it('continues when the page hands in results for calls the backend declared (no tools set)', async () => {
    const { chat, transport } = session([callsTools(call('s1', 'server_tool', '{}')), answer(['Thanks.'])], {});
    await chat.send('Go');
    expect(chat.busy).to.equal(false);
    expect(last(chat).status).to.equal('tool_calls');
    expect(chat.addToolResult('s1', 'ok')).to.equal(true);
    await waitUntil(() => last(chat).content === 'Thanks.' && !chat.busy, 'follow-up');
    expect(messagesOf(transport, 1).at(-1)).to.deep.equal({ role: 'tool', tool_call_id: 's1', content: 'ok' });
  });

  it('after a reload mid-tool the call is interrupted, nothing is sent by itself, and Retry runs it again', async () => {
    let runs = 0;
    const tools: ChatTools = { get_weather: { ...weather['get_weather'], execute: () => (++runs, 'sunny') } };
    const { chat, transport } = session([answer(['It is sunny.'])], tools);
    chat.setMessages([
      { id: 'u', role: 'user', content: 'Weather?', status: 'complete', createdAt: 1 },
      {
        id: 'a',
        role: 'assistant',
        content: '',
        status: 'tool_calls',
        createdAt: 2,
        toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}', status: 'running' }],
      },
    ]);
    await settle();
    expect(last(chat).toolCalls?.[0]?.status).to.equal('interrupted');
    expect(transport.attempts).to.have.length(0);
    expect(runs).to.equal(0);
    expect(chat.canRetry(last(chat))).to.equal(true);
    expect(await chat.retry()).to.equal(true);
    expect(runs).to.equal(1);
    expect(messagesOf(transport, 0).slice(-2)).to.deep.equal([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
    ]);
    expect(last(chat).content).to.equal('It is sunny.');
  });

  it('a call that never finished is sent as interrupted when the user asks something else', async () => {
    const { chat, transport } = session([answer(['OK.'])], {});
    chat.setMessages([
      { id: 'u', role: 'user', content: 'Weather?', status: 'complete', createdAt: 1 },
      {
        id: 'a',
        role: 'assistant',
        content: '',
        status: 'tool_calls',
        createdAt: 2,
        toolCalls: [{ id: 'c1', name: 'x', arguments: '{}', status: 'running' }],
      },
    ]);
    await chat.send('Never mind.');
    expect(messagesOf(transport, 0).slice(1, 3)).to.deep.equal([
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'x', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '{"error":"The tool call was interrupted before it finished."}' },
    ]);
  });
});
