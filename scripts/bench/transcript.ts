/**
 * The long conversation of the benchmark's second scenario: a deterministic transcript of
 * user questions and answers of mixed lengths (a sentence or two, a section, several sections
 * with code blocks, lists and tables), as a chat that has been used for a long while holds.
 */
import type { ChatMessage } from '../../src/core/types.js';
import { createRandom } from '../../test/support/random.js';
import { generateAnswer } from './answer.js';

/**
 * Builds the transcript.
 *
 * @param count - messages, alternating user and assistant
 * @param seed - PRNG seed
 * @returns finished messages, as a reload restores them from storage
 */
export function generateTranscript(count = 1000, seed = 7): ChatMessage[] {
  const random = createRandom(seed);
  const messages: ChatMessage[] = [];
  const start = Date.UTC(2025, 0, 1);
  for (let index = 0; index < count; index++) {
    const user = index % 2 === 0;
    let content: string;
    if (user) {
      content = `Question ${index / 2 + 1}: ${firstParagraph(generateAnswer(1, seed * 1000 + index)).slice(0, 40 + Math.floor(random() * 160))}?`;
    } else {
      const kind = random();
      const answer = generateAnswer(kind < 0.4 ? 1 : kind < 0.8 ? 1500 : 4500, seed * 1000 + index);
      content = kind < 0.4 ? firstParagraph(answer) : answer;
    }
    messages.push({
      id: `m${index}`,
      role: user ? 'user' : 'assistant',
      content,
      status: 'complete',
      createdAt: start + index * 60_000,
    });
  }
  return messages;
}

/** The prose paragraph after an answer's first heading. */
function firstParagraph(answer: string): string {
  return answer.split('\n\n')[1] ?? answer;
}
