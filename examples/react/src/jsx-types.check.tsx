// Type-level checks of llm-chat/react, compiled by `tsc --noEmit` in `npm run build` and never
// bundled: each line marked @ts-expect-error must stay an error, or the build fails.
import type {} from 'llm-chat/react';

export const checks = [
  // @ts-expect-error -- endpoint is a string
  <llm-chat endpoint={42} />,
  // @ts-expect-error -- properties keep their camel-cased names (no `endPoint`)
  <llm-chat endPoint="/api/chat" />,
  // @ts-expect-error -- persist is one of 'session' | 'local' | 'none'
  <llm-chat endpoint="/api/chat" persist="cookie" />,
  // @ts-expect-error -- the finish event carries a ChatMessage, which has no `text`
  <llm-chat endpoint="/api/chat" onllm-chat-finish={(event) => event.detail.message.text} />,
  <llm-chat endpoint="/api/chat" onllm-chat-first-token={(event) => event.detail.ttftMs.toFixed(0)} headers={{ 'X-Csrf-Token': 't' }} />,
];
