import type { ChatTerminalStatus } from './types.js';

/**
 * Maps a wire `finish_reason` to a message status (DESIGN.md §5). Unknown reasons count as a
 * natural stop; the raw value is kept on the message for diagnostics.
 *
 * @param reason - The raw `finish_reason`.
 */
export function statusForFinishReason(reason: string): ChatTerminalStatus {
  switch (reason) {
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'truncated';
    case 'content_filter':
      return 'filtered';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'complete';
  }
}
