/**
 * The mock upstream's answers: realistic markdown covering what a chat renderer must handle
 * (prose, nested lists, tables, fenced code in several languages, headings, quotes, links, an
 * image, emphasis). Which one is used depends only on the question, so a conversation replays
 * identically, and `continue` can produce exactly the rest of an interrupted answer.
 */
export const MOCK_ANSWERS: readonly string[] = [
  `**Exponential backoff** is a retry strategy where each attempt waits longer than the previous one, so a struggling service gets room to recover instead of a stampede.

The usual recipe:

1. Start with a small base delay, for example 500 ms.
2. Double it on every attempt: 500 ms, 1 s, 2 s, 4 s…
3. Cap it (8 s is common) so users are not left waiting forever.
4. Add **full jitter**: sleep a random time between 0 and the computed delay.

Jitter matters more than people expect. Without it, thousands of clients that failed at the same moment retry at the same moment, and the second wave looks exactly like the first.

A few rules keep retries honest:

- Retry only *transient* failures: network errors, \`429\`, \`503\` and other 5xx.
- Never retry \`400\`, \`401\`, \`403\` or \`422\`; the same request will fail the same way.
- If the server sends \`Retry-After\`, wait that long instead of guessing.

In short: back off, spread out, and give up gracefully.`,

  `Here is a small, typed \`debounce\` helper in TypeScript:

\`\`\`ts
export function debounce<Args extends unknown[]>(
  fn: (...args: Args) => void,
  waitMs: number,
): (...args: Args) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: Args) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };
}
\`\`\`

And how you would use it for a search box:

\`\`\`ts
const search = debounce((query: string) => {
  void fetch(\`/api/search?q=\${encodeURIComponent(query)}\`);
}, 300);

input.addEventListener('input', () => search(input.value));
\`\`\`

Two details worth noting:

- The generic \`Args\` keeps the wrapped function's parameter types, so \`search(42)\` is a compile error.
- Resetting \`timer\` to \`undefined\` after the call makes the helper safe to reuse.`,

  `You can read a CSV file and summarise it with **pandas** in a few lines:

\`\`\`python
import pandas as pd

df = pd.read_csv("sales.csv", parse_dates=["date"])

monthly = (
    df.groupby(df["date"].dt.to_period("M"))["amount"]
      .agg(["count", "sum", "mean"])
      .rename(columns={"count": "orders", "sum": "revenue", "mean": "avg_order"})
)

print(monthly.tail(6).round(2))
\`\`\`

What each step does:

- \`parse_dates\` turns the \`date\` column into real timestamps, so \`.dt\` accessors work.
- \`to_period("M")\` buckets rows by calendar month.
- \`agg\` computes several statistics in one pass.

If the file is large, pass \`usecols=["date", "amount"]\` to load only what you need, or read it in chunks with \`chunksize=100_000\`.`,

  `Here is how a chat client should react to common HTTP statuses:

| Status | Meaning | Retry? | What the user sees |
|-------:|---------|:------:|--------------------|
| 400 | Bad request | No | "Something is wrong with this message" |
| 401 | Invalid key | No | "Please sign in again" |
| 402 | Out of credit | No | "The service is out of quota" |
| 403 | Forbidden | No | "You don't have access" |
| 413 | Too large | No | "Shorten your message" |
| 429 | Rate limited | Yes, after \`Retry-After\` | A countdown |
| 500 | Server error | Yes, with backoff | "Retrying…" |
| 503 | Overloaded | Yes, with backoff | "Busy, retrying…" |

The key distinction is **whose fault it is**. A 4xx (except 408 and 429) means the request itself is the problem, so sending it again cannot help. A 5xx or 429 means the server is the problem *right now*, and waiting can help.`,

  `To find customers who ordered in each of the last three months, group by customer and count distinct months:

\`\`\`sql
SELECT c.id,
       c.name,
       COUNT(DISTINCT date_trunc('month', o.created_at)) AS active_months
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
WHERE o.created_at >= date_trunc('month', now()) - INTERVAL '3 months'
  AND o.created_at <  date_trunc('month', now())
GROUP BY c.id, c.name
HAVING COUNT(DISTINCT date_trunc('month', o.created_at)) = 3
ORDER BY c.name;
\`\`\`

A few notes:

- The \`WHERE\` clause uses half-open ranges (\`>=\` and \`<\`), which never double-count a boundary.
- \`HAVING\` filters *after* grouping; \`WHERE\` filters before.
- An index on \`orders (customer_id, created_at)\` keeps this fast on large tables.`,

  `## Running the gateway locally

Follow these steps to get a working chat in a couple of minutes.

### 1. Install

\`\`\`bash
npm install
npm run build:gateway
\`\`\`

### 2. Configure

Set the provider and key **on the server**, never in the browser:

\`\`\`bash
export LLM_PROVIDER=openai-compatible
export LLM_BASE_URL=https://api.openai.com/v1
export LLM_API_KEY=sk-your-key
export LLM_MODEL=gpt-4o-mini
\`\`\`

### 3. Start

\`\`\`bash
npx llm-chat-gateway
\`\`\`

The gateway prints its URL. Point the element at it:

\`\`\`html
<llm-chat endpoint="http://127.0.0.1:8787/api/chat"></llm-chat>
\`\`\`

> **Tip:** without any configuration the gateway uses a built-in mock, so you can try the UI before you have a key.`,

  `> Simplicity is prerequisite for reliability.
> — Edsger W. Dijkstra

The quote is often read as style advice, but it is really an engineering claim. Every extra moving part is a new way to fail, and failures compound: a system with ten components that are each 99.9% available is, at best, about 99% available.

In practice this means:

- Prefer **one** obvious way to do something over several clever ones.
- Delete code paths nobody uses; they still break.
- Make state explicit. A value that can be derived should be derived, not stored twice.

None of this forbids sophistication. It asks that complexity *earn its place* by solving a problem you actually have. As a rule of thumb, if you cannot explain a design on a whiteboard in five minutes, it is probably carrying weight it does not need.`,

  `Rust's ownership rules make a thread-safe counter explicit:

\`\`\`rust
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    let counter = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..1_000 {
                    *counter.lock().unwrap() += 1;
                }
            })
        })
        .collect();

    for handle in handles {
        handle.join().unwrap();
    }
    println!("total = {}", *counter.lock().unwrap());
}
\`\`\`

- \`Arc\` gives shared *ownership* across threads (an atomic reference count).
- \`Mutex\` gives exclusive *access*; the guard unlocks when it goes out of scope.
- For a plain counter, \`AtomicU64::fetch_add\` is faster, since it needs no lock at all.`,

  `### Prompt caching in one picture

Providers cache the **longest identical prefix** of your prompt. Anything that changes per request must therefore come *last*:

![Prefix caching diagram](https://example.com/images/prefix-cache.png)

1. **System prompt** — identical for every user, so it caches best.
2. **Stable context** — documents or few-shot examples that stay the same for a session.
3. **History** — grows by one turn at a time, so earlier turns keep hitting the cache.
4. **The new user message** — always last.

A common mistake is putting the date or the user's name into the system prompt. That single changing token near the start invalidates everything after it. Move such values into the last user message instead.

You can check that caching works by logging \`usage.prompt_tokens_details.cached_tokens\`; see the [OpenAI guide](https://platform.openai.com/docs/guides/prompt-caching) for the details.`,

  `Sure. A minimal Go HTTP server with a health check and graceful shutdown:

\`\`\`go
package main

import (
	"context"
	"log"
	"net/http"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	})

	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	go func() { log.Fatal(srv.ListenAndServe()) }()
	<-ctx.Done()

	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
}
\`\`\`

\`Shutdown\` stops accepting new connections and waits up to ten seconds for in-flight requests, which is exactly what you want behind a load balancer.`,

  `Short answer: **yes**, but only for idempotent operations. A \`GET\` or a \`PUT\` that sets a value can be repeated safely; a \`POST\` that charges a card cannot, unless the server deduplicates it with an \`Idempotency-Key\` header.`,

  `A responsive card layout needs surprisingly little CSS today:

\`\`\`css
.cards {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
  gap: 1rem;
}

.card {
  container-type: inline-size;
  padding: 1rem;
  border-radius: 0.75rem;
  background: var(--surface, #fff);
}

@container (min-width: 24rem) {
  .card { display: flex; gap: 1rem; }
}
\`\`\`

\`\`\`html
<ul class="cards">
  <li class="card"><h3>Fast</h3><p>No JavaScript needed.</p></li>
  <li class="card"><h3>Fluid</h3><p>Adapts to any width.</p></li>
</ul>
\`\`\`

- \`auto-fill\` with \`minmax\` creates as many columns as fit, with **no media queries**.
- Container queries let each card adapt to *its own* width, which is what you want inside sidebars and modals.`,
];

/**
 * Picks the answer for a question, deterministically (FNV-1a hash of the trimmed text).
 *
 * @param question - The last user message.
 * @param answers - The corpus to pick from.
 * @returns One of `answers`.
 */
export function pickMockAnswer(question: string, answers: readonly string[] = MOCK_ANSWERS): string {
  let hash = 0x811c9dc5;
  for (const char of question.trim()) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return answers[hash % answers.length] ?? '';
}

/**
 * Splits text into token-sized pieces (a word with its leading whitespace, long words cut
 * into five-character pieces). Joining the pieces gives back the text exactly, and no piece
 * splits a Unicode code point, so every delta is valid text.
 *
 * @param text - Text to split.
 * @returns The pieces, in order.
 */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S{1,5}|\s+/gu) ?? [];
}
