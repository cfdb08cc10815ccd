import '../src/llm-chat.js';
import type { LlmChat } from '../src/index.js';
import { MOCK_SCENARIOS, MOCK_SCENARIO_DESCRIPTIONS } from '../src/gateway/mock-scenarios.js';

const chat = document.querySelector<LlmChat>('#main-chat');
const picker = document.querySelector<HTMLSelectElement>('#scenario');
const events = document.querySelector<HTMLOListElement>('#events');
if (!chat || !picker || !events) throw new Error('demo markup is missing an element');

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

const names = [
  'llm-chat-send',
  'llm-chat-first-token',
  'llm-chat-retry',
  'llm-chat-tool-call',
  'llm-chat-finish',
  'llm-chat-error',
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
              : '';
    item.textContent = `${new Date().toLocaleTimeString()} ${name} ${summary}`;
    events.prepend(item);
  });
}
