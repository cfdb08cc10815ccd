/**
 * The deep-chat peer (bundled by scripts/bench/pages.ts): deep-chat 2.4 from its npm bundle,
 * connected to the benchmark's stream in deep-chat's own event format, sized like the others,
 * with a long transcript given as `history` when the page has one (deep-chat's way to restore).
 */
import 'deep-chat/dist/deepChat.bundle.js';

const meta = (name: string) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';

const chat = document.createElement('deep-chat') as HTMLElement & { connect: unknown; history: unknown; chatStyle: unknown };
chat.connect = { url: meta('bench-endpoint'), stream: true };
// Any font but deep-chat's default keeps it from adding a Google Fonts stylesheet.
chat.chatStyle = { width: '100vw', height: '100vh', fontFamily: 'system-ui, sans-serif', border: 'none' };
const stored = sessionStorage.getItem('bench-transcript');
if (stored) {
  chat.history = (JSON.parse(stored) as { role: string; content: string }[]).map((message) => ({
    role: message.role === 'user' ? 'user' : 'ai',
    text: message.content,
  }));
}
document.body.append(chat);
