import { html, nothing } from 'lit';
import type { ChatMessage, ChatToolCall } from '../core/types.js';
import { format } from './strings.js';
import type { LlmChatStrings } from './strings.js';

/**
 * An answer's tool calls, one compact collapsible row each (DESIGN.md §3a): the tool's name
 * and state (running with its elapsed time, done, error, cancelled, interrupted), with the
 * arguments and the result on expand. Rows are not live regions: a screen reader hears a tool
 * start and end once, from the status line, never the argument stream.
 *
 * @param elapsedMs - How long a running call has been running.
 */
export function renderToolCalls(message: ChatMessage, t: LlmChatStrings, elapsedMs: (toolCallId: string) => number | undefined) {
  if (!message.toolCalls?.length) return nothing;
  return html`<div class="tool-calls">${message.toolCalls.map((call) => renderToolCall(call, t, elapsedMs(call.id)))}</div>`;
}

function renderToolCall(call: ChatToolCall, t: LlmChatStrings, elapsed: number | undefined) {
  const status = call.status ?? 'requested';
  const state =
    status === 'running'
      ? format(t.toolRunningFor, { seconds: Math.floor((elapsed ?? 0) / 1000) })
      : ((t.toolStates as Record<string, string>)[status] ?? t.toolStates.requested);
  return html`<details part="tool-call" class="tool-call" data-status=${status}>
    <summary>
      <span class="tool-label">${t.toolCall}</span> <code class="tool-name">${call.name}</code>
      <span class="tool-state">${state}</span>
    </summary>
    <div class="tool-detail">
      <div class="tool-heading">${t.toolArguments}</div>
      <pre class="tool-args">${pretty(call.arguments)}</pre>
      ${
        call.result !== undefined
          ? html`<div class="tool-heading">${t.toolResult}</div>
              <pre class="tool-result">${pretty(call.result)}</pre>`
          : nothing
      }
    </div>
  </details>`;
}

/** JSON indented for reading; anything else (a partial, plain text) as it is. */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
