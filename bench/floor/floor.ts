/**
 * The size floor for a self-contained gadget bundle: only what any Lit + RxJS + socket.io-client
 * gadget must ship. A tiny element (so lit's rendering, styles and reactive update cycle are
 * kept), socket.io-client's `io()`, and exactly the rxjs symbols that src/ imports (the
 * benchmark generates `virtual:ag-rxjs-used` from src at build time, so the floor follows the
 * code instead of a hand-kept list). Everything the gadget bundles add on top of this is ours.
 */
import { LitElement, css, html } from 'lit';
import { io } from 'socket.io-client';

export * from 'virtual:ag-rxjs-used';

export class FloorElement extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
  `;
  static override properties = { label: {} };
  label = '';
  override render() {
    return html`<p part="status">${this.label}</p>`;
  }
}
customElements.define('ag-bench-floor', FloorElement);

export { io };
