import type { Token } from 'marked';
import { markedInstance } from './marked-instance.js';
import { isPathological } from './pathological-input.js';

/**
 * Confirms a block boundary proposed by the line scanner with the markdown parser itself: the
 * block is finished when lexing `block + lookahead` puts a token boundary exactly at the end
 * of `block`. This makes the split agree with how the whole document would be parsed even
 * where the scanner's approximation of CommonMark is wrong (a sloppy fence under a list item,
 * an HTML block the scanner misread): a rejected boundary only merges blocks, which is always
 * safe. The tokens before the boundary are returned so the block is not lexed twice.
 *
 * Used as `BlockSplitter`'s `confirm` option.
 *
 * @param block - the block's source
 * @param lookahead - the line after it, or the splitter's continuation probe
 * @returns the block's tokens; `null` to finish the block without tokens (it is pathological
 *   and will be shown as plain text, or the lexer threw); `false` to keep it open
 */
export function confirmBlock(block: string, lookahead: string): Token[] | null | false {
  // Too deep or too long to lex safely: such a block is shown as plain text whatever marked
  // would make of it, so the line scanner's boundary is good enough.
  if (isPathological(block)) return null;
  const normalized = block.replace(/\r\n?/g, '\n');
  let tokens: Token[];
  try {
    tokens = markedInstance.lexer(normalized + lookahead.replace(/\r\n?/g, '\n'));
  } catch {
    return null;
  }
  let offset = 0;
  for (let index = 0; index < tokens.length; index++) {
    if (offset === normalized.length) return tokens.slice(0, index);
    offset += tokens[index]?.raw.length ?? 0;
    if (offset > normalized.length) return false;
  }
  return false;
}
