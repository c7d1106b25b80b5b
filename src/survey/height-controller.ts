import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Tells the container (Finesse: gadgets.window.adjustHeight) whenever the element's height
 * changes, at most once per frame. Disconnecting the element stops observing.
 */
export class HeightController implements ReactiveController {
  private observer?: ResizeObserver;
  private lastHeight = -1;
  private frame = 0;

  constructor(
    private readonly element: ReactiveControllerHost & HTMLElement,
    private readonly adjust: () => void,
  ) {
    element.addController(this);
  }

  hostConnected(): void {
    if (typeof ResizeObserver === 'undefined') return;
    this.observer = new ResizeObserver((entries) => {
      const height = Math.round(entries[entries.length - 1]?.borderBoxSize?.[0]?.blockSize ?? this.element.offsetHeight);
      if (height === this.lastHeight) return;
      this.lastHeight = height;
      cancelAnimationFrame(this.frame);
      this.frame = requestAnimationFrame(() => this.adjust());
    });
    this.observer.observe(this.element);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    cancelAnimationFrame(this.frame);
    this.lastHeight = -1;
  }
}
