/**
 * The OpenAjax hub client a Finesse gadget gets from Shindig's pubsub-2 feature
 * (`gadgets.Hub`, `gadgets.HubSettings`). Like the real one it is not connected while the gadget
 * loads: `subscribe` / `publish` throw until the container has connected it, and it connects
 * once, calling whatever `gadgets.HubSettings.onConnect` holds at that moment.
 */
export interface FakeHub {
  readonly api: {
    subscribe(topic: string, fn: (topic: string, data: unknown) => void): string;
    unsubscribe(id: string): void;
    publish(topic: string, data: unknown): void;
    isConnected(): boolean;
  };
  readonly settings: { onConnect?: () => void; params?: Record<string, unknown> };
  /** the container connects the hub (Shindig does it on the gadget's load event) */
  connect(): void;
  readonly connected: boolean;
  /** delivers `data` to the subscribers of `topic` */
  deliver(topic: string, data: unknown): void;
  /** topics published by the gadget (e.g. finesse.info.requests) */
  published(): { topic: string; data: unknown }[];
  clear(): void;
}

export function createHub(onPublish: (topic: string, data: unknown) => void): FakeHub {
  let connected = false;
  let nextId = 1;
  const subs = new Map<string, { topic: string; fn: (topic: string, data: unknown) => void }>();
  const published: { topic: string; data: unknown }[] = [];
  const settings: FakeHub['settings'] = {};
  const refuse = () => {
    // What the OpenAjax hub client throws when used before it connected.
    throw new Error('Disconnected');
  };
  const api: FakeHub['api'] = {
    subscribe(topic, fn) {
      if (!connected) refuse();
      const id = String(nextId++);
      subs.set(id, { topic, fn });
      return id;
    },
    unsubscribe(id) {
      if (!connected) refuse();
      subs.delete(id);
    },
    publish(topic, data) {
      if (!connected) refuse();
      published.push({ topic, data });
      onPublish(topic, data);
    },
    isConnected: () => connected,
  };
  return {
    api,
    settings,
    get connected() {
      return connected;
    },
    connect() {
      if (connected) return;
      connected = true;
      const fn = settings.onConnect;
      if (typeof fn === 'function') {
        try {
          fn();
        } catch (e) {
          console.error('[fake finesse] HubSettings.onConnect threw', e);
        }
      }
    },
    deliver(topic, data) {
      for (const s of [...subs.values()]) {
        if (s.topic !== topic) continue;
        try {
          s.fn(topic, data);
        } catch (e) {
          console.error('[fake finesse] hub subscriber threw', e);
        }
      }
    },
    published: () => [...published],
    clear() {
      subs.clear();
      connected = false;
    },
  };
}
