/**
 * The handles the demo pages leave on `window` for the end-to-end tests and the curious
 * (console): one declaration, read by the pages that set them and by test/e2e (type-checked
 * through test/e2e/page-globals.d.ts).
 *
 * Each page sets its handles once it has booted and says so with `ready: true`; until then they
 * are undefined. The types describe a booted page, as the tests read them only after waiting for
 * `ready` (`window.agentGadgetsDemo?.ready === true`). The mock's handle is absent when the demo
 * runs on the reference cluster.
 */
import type { DemoBackend, StartedCall, StartedChat } from './backend.js';
import type { Timeline } from './timeline.js';
import type { MockBackend } from '../../src/mocks/index.js';
import type { FakeFinesse } from '../../src/mocks/finesse/index.js';

/** index.html (main.ts): the agent desktop. */
export interface DemoApi {
  readonly backend: DemoBackend;
  /** the current chat (the first is started before the handle is set; "New chat" replaces it) */
  readonly chat: StartedChat;
  readonly call?: StartedCall;
  readonly timeline: Timeline;
  readonly ready: boolean;
}

/** finesse-preview.html: the gadget XML specs run from the built bundles in a fake Finesse. */
export interface PreviewApi {
  readonly ready: true;
  /** the gadget XML files loaded */
  readonly specs: readonly string[];
  /** the chat routed to the agent at start-up */
  readonly chatId: string;
  /** the call started at start-up (none with ?call=none) */
  readonly dialogId: string | undefined;
  /** the fake container and finesse.js, for verbs the mock does not relay (chat tasks, tokens) */
  readonly finesse: FakeFinesse;
}

/** plain.html (plain-glue.ts): the elements on a page with nothing but module scripts. */
export interface PlainApi {
  readonly ready: true;
  readonly chat: { readonly interactionId: string };
  readonly call: { readonly dialogId: string; readonly ani: string; readonly dialedNumber: string };
}

declare global {
  interface Window {
    /** the mocked back end's control object (src/mocks), on every page that runs the mock */
    agentGadgetsMock: MockBackend;
    agentGadgetsDemo: DemoApi;
    agentGadgetsPreview: PreviewApi;
    agentGadgetsPlain: PlainApi;
  }
}
