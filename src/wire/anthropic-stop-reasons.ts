/**
 * Anthropic's `stop_reason` as an OpenAI `finish_reason` (DESIGN.md §5), one table for the
 * gateway's Anthropic upstream and the browser's `anthropic` protocol, so the same answer ends
 * in the same state whichever way it reached the element.
 *
 * `pause_turn` (a long server-side tool turn the API paused) is `length`: the answer is not
 * over, and Continue is what carries it on.
 */
export const ANTHROPIC_STOP_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'length',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** A `stop_reason` as a `finish_reason`; an unknown one is passed on as it is (kept raw on the message). */
export function finishReasonForStop(stop: string): string {
  return ANTHROPIC_STOP_REASONS[stop] ?? stop;
}
