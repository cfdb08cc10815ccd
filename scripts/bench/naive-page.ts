/**
 * The naive baselines (bundled by scripts/bench/pages.ts): what a chat page written in an
 * afternoon does — fetch, cut the SSE stream into events, and on every delta (`naive-delta`)
 * or once per animation frame (`naive-frame`) parse the whole answer with marked, sanitize it
 * with DOMPurify and assign it to `innerHTML`. Same libraries as llm-chat, no incremental work.
 */
import { marked } from 'marked';
import DOMPurify from 'dompurify';

const meta = (name: string) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
const perFrame = meta('bench-subject') === 'naive-frame';
const endpoint = meta('bench-endpoint');

const log = document.createElement('div');
log.id = 'naive-log';
document.body.append(log);

function html(markdown: string): string {
  return DOMPurify.sanitize(marked.parse(markdown, { async: false }));
}

function addMessage(role: 'user' | 'assistant', content: string): HTMLElement {
  const element = document.createElement('div');
  element.className = role;
  if (role === 'user') element.textContent = content;
  else element.innerHTML = html(content);
  log.append(element);
  return element;
}

// A long transcript comes back from storage, as after a reload.
const stored = sessionStorage.getItem('bench-transcript');
if (stored) {
  for (const message of JSON.parse(stored) as { role: 'user' | 'assistant'; content: string }[]) addMessage(message.role, message.content);
  log.scrollTop = log.scrollHeight;
}

async function send(prompt: string): Promise<void> {
  addMessage('user', prompt);
  const answer = addMessage('assistant', '');
  let text = '';
  let frame = 0;
  const render = () => {
    frame = 0;
    answer.innerHTML = html(text);
    log.scrollTop = log.scrollHeight;
  };
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ messages: [{ role: 'user', content: prompt }], stream: true }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const data = buffer.slice(0, end).replace(/^data: /, '');
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (data === '[DONE]') continue;
      const content = (JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
      if (!content) continue;
      text += content;
      if (!perFrame) render();
      else if (!frame) frame = requestAnimationFrame(render);
    }
  }
  if (frame) {
    cancelAnimationFrame(frame);
    render();
  }
}

window.__naive = { send: (prompt) => void send(prompt) };
