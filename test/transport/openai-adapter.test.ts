import { expect } from '@open-wc/testing';
import { createOpenAIAdapter, wireErrorFrom } from '../../src/transport/openai-adapter.js';
import { requestInput as input } from '../support/adapter-stream.js';

const adapter = createOpenAIAdapter();

describe('the openai protocol adapter', () => {
  describe('request encoding', () => {
    it('puts the system prompt first and the stable fields in DESIGN §4 order', () => {
      const body = adapter.encodeRequest(input({ system: 'Be brief.', model: 'm', maxTokens: 10, temperature: 0 }));
      expect(Object.keys(body)).to.deep.equal(['model', 'messages', 'stream', 'stream_options', 'max_tokens', 'temperature']);
      expect(body['messages']).to.deep.equal([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ]);
    });

    it('lets extra body fields win and marks a continuation', () => {
      const body = adapter.encodeRequest(input({ body: { temperature: 1, user: 'u' }, temperature: 0.2, continuation: true }));
      expect(body).to.include({ temperature: 1, user: 'u', continue: true });
    });

    it('encodes tools, assistant tool calls and tool results in the OpenAI shape', () => {
      const body = adapter.encodeRequest(
        input({
          tools: [
            { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          ],
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
            { role: 'tool', content: '{"c":3}', toolCallId: 'c1' },
          ],
        }),
      );
      expect(body['tools']).to.deep.equal([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ]);
      expect(body['messages']).to.deep.equal([
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: '{"c":3}' },
      ]);
    });
  });

  describe('error bodies', () => {
    it('reads the OpenAI envelope', () => {
      expect(wireErrorFrom({ error: { message: 'm', type: 't', code: 'c', param: 'p', request_id: 'r', retry_after: 2 } })).to.deep.equal({
        cause: 'in_band',
        message: 'm',
        type: 't',
        code: 'c',
        param: 'p',
        requestId: 'r',
        retryAfterMs: 2000,
      });
    });

    it("reads Ollama's bare string, numeric codes and vLLM's top-level fields", () => {
      expect(adapter.decodeError({ error: 'model not found' })).to.deep.include({ message: 'model not found' });
      expect(adapter.decodeError({ error: { code: 429, message: 'slow' } })).to.deep.include({ code: '429' });
      expect(adapter.decodeError({ object: 'error', type: 'BadRequestError', message: 'bad', code: 400 })).to.deep.include({
        type: 'BadRequestError',
        code: '400',
      });
    });

    it('finds no envelope in a whole completion', () => {
      expect(adapter.decodeError({ id: 'x', object: 'chat.completion', choices: [] })).to.deep.equal({});
    });
  });
});
