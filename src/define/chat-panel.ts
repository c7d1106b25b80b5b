import { AgChatPanel } from '../chat/chat-panel.js';

export { AgChatPanel };

// Registration is the only side effect of this module; a second import (two bundles on one
// page) must not throw.
if (!customElements.get('ag-chat-panel')) customElements.define('ag-chat-panel', AgChatPanel);

declare global {
  interface HTMLElementTagNameMap {
    'ag-chat-panel': AgChatPanel;
  }
}
