/**
 * Incremental, sanitized markdown rendering for streamed answers.
 *
 * The Marked instance stays private to this layer: changing its options would change what the
 * sanitizer has to expect.
 */
export { IncrementalRenderer } from './incremental-renderer.js';
export type { IncrementalRendererOptions } from './incremental-renderer.js';
export { DEFAULT_MARKDOWN_STRINGS } from './decorate-fragment.js';
export type { MarkdownStrings } from './decorate-fragment.js';
export { BlockSplitter, CONTINUATION_PROBE, splitBlocks } from './split-blocks.js';
export type { BlockSplitterOptions, ConfirmBlock, FinishedBlock, OpenFence } from './split-blocks.js';
export { repairTail } from './repair-tail.js';
export { LINK_REL, safeUrl } from './safe-url.js';
export { sanitizeHtml } from './sanitize.js';
export { TRUSTED_TYPES_POLICIES, TRUSTED_TYPES_POLICY_NAME } from './trusted-types.js';
export { DEFAULT_MARKDOWN_LIMITS, isPathological } from './pathological-input.js';
export { HighlightQueue } from './highlight-queue.js';
export type { HighlightChunk, HighlightQueueOptions } from './highlight-queue.js';
export type { HighlightJob, HighlightScheduler } from './highlight-runner.js';
export type { HighlightedSegment } from './highlight-engine.js';
export { highlightedLanguageNames, isHighlighted } from './highlight-languages.js';
export type { MarkdownLimits } from './pathological-input.js';
