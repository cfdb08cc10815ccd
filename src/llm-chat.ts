/**
 * The side-effect entry: importing it registers `<llm-chat>`. Import
 * `./element/llm-chat.component.js` instead to get the class without registering it.
 */
import { LlmChat } from './element/llm-chat.component.js';

if (!customElements.get('llm-chat')) customElements.define('llm-chat', LlmChat);

declare global {
  interface HTMLElementTagNameMap {
    'llm-chat': LlmChat;
  }
}

export { LlmChat };
