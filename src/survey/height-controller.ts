import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Tells the container (Finesse: gadgets.window.adjustHeight) whenever the element's height
 * changes: after each render (layout is read synchronously, so this works in background tabs
 * where animation frames are throttled) and on resizes that do not come from a render (the
 * container got narrower and text wrapped). Disconnecting the element stops observing.
 */
export class HeightController implements ReactiveController {
  readonly #element: ReactiveControllerHost & HTMLElement;
  readonly #adjust: () => void;
  #observer?: ResizeObserver;
  #lastHeight = -1;

  constructor(element: ReactiveControllerHost & HTMLElement, adjust: () => void) {
    this.#element = element;
    this.#adjust = adjust;
    element.addController(this);
  }

  hostConnected(): void {
    if (typeof ResizeObserver === 'undefined') return;
    this.#observer = new ResizeObserver(() => this.#check());
    this.#observer.observe(this.#element);
  }

  hostUpdated(): void {
    this.#check();
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#lastHeight = -1;
  }

  #check(): void {
    if (!this.#element.isConnected) return;
    const height = Math.round(this.#element.getBoundingClientRect().height);
    if (height === this.#lastHeight) return;
    this.#lastHeight = height;
    this.#adjust();
  }
}
