import type { ChatErrorKind } from '../core/types.js';

/**
 * Every user-visible string of the element, for translation. Set the element's `strings`
 * property to a partial object; missing keys fall back to these English defaults.
 * Placeholders in braces (`{seconds}`, `{time}`) are filled in at render time.
 */
export const defaultStrings = {
  placeholder: 'Ask anything…',
  inputLabel: 'Message',
  send: 'Send',
  stop: 'Stop',
  retry: 'Retry',
  continue: 'Continue',
  copyDetails: 'Copy details',
  detailsCopied: 'Details copied',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copy failed',
  imageBlocked: 'Image not loaded, from {host}',
  scrollableCode: 'Code',
  scrollableTable: 'Table',
  reasoning: 'Reasoning',
  thinking: 'Thinking… {seconds} s',
  thoughtFor: 'Thought for {seconds} s',
  edit: 'Edit',
  editLabel: 'Edit your message',
  editSend: 'Send',
  editCancel: 'Cancel',
  copyAnswer: 'Copy',
  answerCopied: 'Copied',
  feedbackUp: 'Good answer',
  feedbackDown: 'Bad answer',
  jumpToLatest: 'Jump to latest',
  suggestionsLabel: 'Suggestions',
  toolCall: 'Tool',
  toolArguments: 'Arguments',
  toolResult: 'Result',
  toolRunningFor: 'running… {seconds} s',
  toolStates: {
    requested: 'requested',
    running: 'running…',
    done: 'done',
    error: 'failed',
    cancelled: 'cancelled',
    interrupted: 'interrupted',
  },
  toolRunning: 'Running {name}…',
  toolsDone: '{name} done.',
  conversation: 'Conversation',
  you: 'You',
  assistant: 'Assistant',
  empty: 'Ask a question to start the conversation.',
  connecting: 'Connecting…',
  stillWaiting: 'Still waiting for the model… busy backends can take up to a minute to start.',
  responding: 'Responding…',
  done: 'Answer complete.',
  stopped: 'Stopped.',
  interrupted: 'The answer was interrupted. The text so far is kept.',
  truncated: 'The answer hit the length limit.',
  filtered: 'The answer was blocked by a content filter.',
  toolCalls: 'The model asked to call a tool.',
  regenerated: 'Regenerated',
  retryingIn: '{reason} — retrying in {seconds} s',
  retryingSoon: '{reason} — retrying automatically.',
  reconnecting: 'Connection lost — reconnecting…',
  retryAt: 'You can try again at {time}.',
  offline: "You're offline. Your message was not sent.",
  backOnline: 'Back online.',
  unknownProtocol: 'This chat is configured with an unknown protocol.',
  noEndpoint: 'This chat has no endpoint configured.',
  hintContextTooLong: 'Start a new conversation or shorten your message.',
  hintAuth: 'The server is not authorized with the model provider. Contact the site owner.',
  hintQuota: 'The usage quota is used up. Waiting will not help; contact the site owner.',
  hintBudget: "Today's spending limit for this chat is used up. It resets tomorrow.",
  protocolUnavailable: 'The chat could not load what it needs to talk to the server. Check the connection and send again.',
  contextTrimmed: "Earlier messages were left out to fit the model's context.",
  historyNotSaved: "History can't be saved in this browser; it will be lost on reload.",
  metricsTtft: 'TTFT {ms} ms',
  metricsRate: '{rate} tok/s',
  metricsRateEstimated: '~{rate} tok/s',
  metricsTokens: '{tokens} tokens',
  metricsCached: '{tokens} cached',
  errors: {
    rate_limited: 'Rate limited.',
    overloaded: 'The service is busy.',
    quota_exhausted: 'Usage quota exhausted.',
    auth_failed: 'Authentication with the model provider failed.',
    forbidden: 'This request is not allowed.',
    context_too_long: 'The conversation is too long for the model.',
    bad_request: 'The request was rejected.',
    server_error: 'The server had a problem.',
    network_error: 'The connection was lost.',
    stalled: 'The answer stopped arriving.',
    filtered: 'Blocked by a content filter.',
    tool_limit: 'The tool loop reached its limit.',
  } satisfies Record<ChatErrorKind, string>,
};

export type LlmChatStrings = typeof defaultStrings;

/** `strings` as a page sets it: any subset, `errors` included. */
export type LlmChatStringsInput = Partial<Omit<LlmChatStrings, 'errors' | 'toolStates'>> & {
  errors?: Partial<LlmChatStrings['errors']>;
  toolStates?: Partial<LlmChatStrings['toolStates']>;
};

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}

/** `strings` as the element uses them: the page's over the English defaults, nested groups merged. */
export function resolveStrings(custom: LlmChatStringsInput | undefined): LlmChatStrings {
  const given = custom ?? {};
  return {
    ...defaultStrings,
    ...given,
    errors: { ...defaultStrings.errors, ...given.errors },
    toolStates: { ...defaultStrings.toolStates, ...given.toolStates },
  } as LlmChatStrings;
}
