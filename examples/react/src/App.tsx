import { useRef, useState } from 'react';
import type { ChatMessage, LlmChat } from 'llm-chat';
import type {} from 'llm-chat/react';

const ASSISTANTS = [
  { label: 'Concise', system: 'You are a concise assistant. Answer in a few sentences.' },
  { label: 'Teacher', system: 'You are a patient teacher. Explain step by step.' },
] as const;

export function App() {
  const chat = useRef<LlmChat>(null);
  const [system, setSystem] = useState<string>(ASSISTANTS[0].system);
  const [last, setLast] = useState<ChatMessage>();

  return (
    <main>
      <h1>llm-chat in React</h1>
      <p>
        <label>
          Assistant{' '}
          <select id="tone" value={system} onChange={(event) => setSystem(event.target.value)}>
            {ASSISTANTS.map((a) => (
              <option key={a.label} value={a.system}>
                {a.label}
              </option>
            ))}
          </select>
        </label>{' '}
        <button id="stop" type="button" onClick={() => chat.current?.stop()}>
          Stop
        </button>
      </p>
      <p>
        Last answer: <output id="last-status">{last?.status ?? '—'}</output>, TTFT{' '}
        <output id="last-ttft">{last?.metrics?.ttftMs === undefined ? '—' : `${Math.round(last.metrics.ttftMs)} ms`}</output>
      </p>
      {/* React 19 sets `system` as a property and adds `onllm-chat-finish` as a listener of `llm-chat-finish`. */}
      <llm-chat ref={chat} endpoint="/api/chat" system={system} withMetrics onllm-chat-finish={(event) => setLast(event.detail.message)} />
    </main>
  );
}
