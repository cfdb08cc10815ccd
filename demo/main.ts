import '../src/llm-chat.js';
import type { LlmChat } from '../src/index.js';
import { MOCK_SCENARIOS, MOCK_SCENARIO_DESCRIPTIONS } from '../src/gateway/mock-scenarios.js';

const chat = document.querySelector<LlmChat>('#main-chat');
const picker = document.querySelector<HTMLSelectElement>('#scenario');
const protocolPicker = document.querySelector<HTMLSelectElement>('#protocol');
const events = document.querySelector<HTMLOListElement>('#events');
if (!chat || !picker || !protocolPicker || !events) throw new Error('demo markup is missing an element');

/** Each protocol and the endpoint that speaks it: the gateway for `openai`, a demo endpoint for the others. */
const PROTOCOL_ENDPOINTS: Record<string, [endpoint: string, label: string]> = {
  openai: ['/api/chat', 'openai — the gateway (Chat Completions SSE)'],
  'ai-sdk': ['/api/demo/ai-sdk', 'ai-sdk — Vercel AI SDK UI message stream'],
  anthropic: ['/api/demo/anthropic', 'anthropic — Messages streaming events'],
  ndjson: ['/api/demo/ndjson', 'ndjson — Ollama /api/chat'],
  text: ['/api/demo/text', 'text — a plain text body'],
};
for (const [name, [, label]] of Object.entries(PROTOCOL_ENDPOINTS)) {
  const option = document.createElement('option');
  option.value = name;
  option.textContent = label;
  protocolPicker.append(option);
}
protocolPicker.value = chat.protocol;
protocolPicker.addEventListener('change', () => {
  const [endpoint] = PROTOCOL_ENDPOINTS[protocolPicker.value] ?? PROTOCOL_ENDPOINTS['openai']!;
  chat.protocol = protocolPicker.value;
  chat.endpoint = endpoint;
});

for (const name of MOCK_SCENARIOS) {
  const option = document.createElement('option');
  option.value = name;
  option.textContent = `${name} — ${MOCK_SCENARIO_DESCRIPTIONS[name]}`;
  picker.append(option);
}
picker.value = 'ok';
picker.addEventListener('change', () => {
  chat.headers = picker.value === 'ok' ? {} : { 'X-Mock-Scenario': picker.value };
});

document.querySelector('#clear')?.addEventListener('click', () => chat.clear());

// Starter prompts while the transcript is empty; the mock answers each with a different kind of markdown.
chat.suggestions = ['Show me a table of HTTP status codes', 'Write a Python retry loop', 'Explain prompt caching'];

const names = [
  'llm-chat-send',
  'llm-chat-first-token',
  'llm-chat-retry',
  'llm-chat-tool-call',
  'llm-chat-finish',
  'llm-chat-error',
  'llm-chat-feedback',
] as const;
for (const name of names) {
  chat.addEventListener(name, (event) => {
    const item = document.createElement('li');
    const detail = (event as CustomEvent).detail as Record<string, unknown>;
    const summary =
      name === 'llm-chat-first-token'
        ? `ttft ${String(detail['ttftMs'])} ms`
        : name === 'llm-chat-retry'
          ? `attempt ${String(detail['attempt'])} in ${String(detail['delayMs'])} ms`
          : name === 'llm-chat-finish'
            ? `status ${String((detail['message'] as { status: string }).status)}`
            : name === 'llm-chat-error'
              ? `kind ${String((detail['error'] as { kind: string }).kind)}`
              : name === 'llm-chat-feedback'
                ? `value ${String(detail['value'])}`
                : '';
    item.textContent = `${new Date().toLocaleTimeString()} ${name} ${summary}`;
    events.prepend(item);
  });
}

/**
 * The tools section: one local tool and one that takes a second, so the page shows a call
 * running while the model's text streams, then the answer that uses the result.
 */
const toolsChat = document.querySelector<LlmChat>('#tools-chat');
if (toolsChat) {
  toolsChat.tools = {
    get_local_time: {
      description: "The current local time in the visitor's browser",
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      execute: () => ({ time: new Date().toLocaleTimeString(), zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
    },
    get_weather: {
      description: 'Current weather for a city (a stand-in service that answers after a second)',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      execute: async (args, { signal }) => {
        const { city } = args as { city: string };
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 1000);
          signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('cancelled'))), { once: true });
        });
        // Deterministic stand-in weather: the same city always gets the same sky.
        const seed = [...city].reduce((sum, char) => sum + char.charCodeAt(0), 0);
        return { city, celsius: 5 + (seed % 25), sky: ['clear', 'cloudy', 'light rain', 'windy'][seed % 4] };
      },
    },
  };
}
