/**
 * A deterministic, realistic long answer for the benchmark: sections of prose with inline
 * markup, bullet and numbered lists (some nested), tables, block quotes and many fenced code
 * blocks, like a long technical answer from a chat model.
 */
import { createRandom } from '../../test/support/random.js';

const WORDS = (
  'the request stream renders each block once while the tail updates as tokens arrive from the ' +
  'model and the gateway keeps keys on the server so browsers never see them retries use full ' +
  'jitter with a cap latency matters because users notice delays above one hundred milliseconds ' +
  'markdown parsing should stay linear caching prompts reduces cost sanitizing output prevents ' +
  'injection images load only from trusted origins code blocks carry a copy button tables align ' +
  'columns lists nest by indentation quotes hold citations headings structure long answers'
).split(' ');

const LANGUAGES = ['ts', 'js', 'python', 'bash', 'json', 'go', 'rust', 'sql'];

/**
 * Builds the answer.
 *
 * @param targetLength - approximate length in characters
 * @param seed - PRNG seed
 * @returns markdown of at least `targetLength` characters
 */
export function generateAnswer(targetLength = 160_000, seed = 1): string {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(' ');

  const sentence = (): string => {
    const parts = [words(int(4, 12))];
    const decoration = random();
    if (decoration < 0.2) parts.push(`**${words(int(1, 3))}**`);
    else if (decoration < 0.35) parts.push(`\`${pick(WORDS)}${pick(['()', '.ts', 'Id', '[]'])}\``);
    else if (decoration < 0.45) parts.push(`[${words(int(1, 3))}](https://example.com/${pick(WORDS)}/${int(1, 99)})`);
    else if (decoration < 0.55) parts.push(`*${words(int(1, 2))}*`);
    parts.push(words(int(3, 10)));
    const text = parts.join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: int(3, 7) }, sentence).join(' ');

  const list = (): string => {
    const ordered = random() < 0.4;
    const items: string[] = [];
    for (let i = 1; i <= int(3, 8); i++) {
      const marker = ordered ? `${i}.` : '-';
      items.push(`${marker} ${random() < 0.5 ? `**${words(2)}**: ` : ''}${sentence()}`);
      if (random() < 0.25) {
        for (let j = 0; j < int(1, 3); j++) items.push(`${' '.repeat(marker.length + 1)}- ${sentence()}`);
      }
    }
    return items.join('\n');
  };

  const code = (): string => {
    const language = pick(LANGUAGES);
    const lines: string[] = [];
    for (let i = 0; i < int(6, 30); i++) {
      const indent = '  '.repeat(int(0, 3));
      lines.push(
        random() < 0.12
          ? ''
          : `${indent}${pick(['const', 'let', 'return', 'if', 'for', 'await'])} ${pick(WORDS)}_${int(1, 9)} = ${pick(WORDS)}(${int(0, 500)}); // ${words(3)}`,
      );
    }
    return `\`\`\`${language}\n${lines.join('\n')}\n\`\`\``;
  };

  const table = (): string => {
    const columns = int(3, 5);
    const header = `| ${Array.from({ length: columns }, () => words(1)).join(' | ')} |`;
    const delimiter = `|${Array.from({ length: columns }, () => pick([' --- ', ':---', ' :---: ', ' ---: '])).join('|')}|`;
    const rows = Array.from(
      { length: int(3, 10) },
      () => `| ${Array.from({ length: columns }, () => (random() < 0.2 ? `\`${words(1)}\`` : words(int(1, 3)))).join(' | ')} |`,
    );
    return [header, delimiter, ...rows].join('\n');
  };

  const quote = () => `> ${sentence()}\n> ${sentence()}`;

  const blocks: string[] = [];
  let length = 0;
  let section = 1;
  while (length < targetLength) {
    const parts = [`## ${section}. ${words(int(2, 5))}`, paragraph()];
    for (let i = 0; i < int(2, 5); i++) {
      const kind = random();
      if (kind < 0.3) parts.push(code());
      else if (kind < 0.55) parts.push(list());
      else if (kind < 0.7) parts.push(table());
      else if (kind < 0.78) parts.push(quote());
      parts.push(paragraph());
    }
    const text = parts.join('\n\n');
    blocks.push(text);
    length += text.length + 2;
    section++;
  }
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Cuts text into deltas of a fixed size, as the benchmark's server streams them (a model's
 * token is 3–4 characters; 64 characters per event is what a server batching ~16 tokens per
 * event sends).
 *
 * @param text - the answer
 * @param size - characters per delta
 * @returns the deltas, in order
 */
export function cutDeltas(text: string, size: number): string[] {
  const deltas: string[] = [];
  for (let at = 0; at < text.length; at += size) deltas.push(text.slice(at, at + size));
  return deltas;
}
