/**
 * Copies text and says so on the button that asked, then puts its label back: the feedback a
 * copy action owes the user, including when the browser refuses the clipboard.
 */
export async function copyWithFeedback(
  button: HTMLElement,
  text: string,
  labels: { idle: string; done: string; failed: string },
  resetMs = 1500,
): Promise<boolean> {
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch {
    copied = false;
  }
  button.textContent = copied ? labels.done : labels.failed;
  setTimeout(() => {
    if (button.isConnected) button.textContent = labels.idle;
  }, resetMs);
  return copied;
}
