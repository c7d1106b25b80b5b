// Runs a gadget spec from gadgets/ the way Finesse's Shindig container does, against the fake
// container and library (src/mocks/finesse, installed with `hub: 'manual'`): the spec's
// <Content> markup goes into the page, the layout URL becomes the frame's `url` parameter, the
// spec's inline start-up script runs while the hub is still disconnected, and only then does the
// container connect the hub (calling gadgets.HubSettings.onConnect). jQuery and finesse.js are the
// fake's globals; the bundle is the element's registration module, imported by the test.
import { waitUntil } from '@open-wc/testing';
import { currentFakeFinesse } from '../../src/mocks/finesse/index.js';

export interface RunningGadget<E extends HTMLElement> {
  readonly el: E;
  remove(): void;
}

const page = `${window.location.pathname}${window.location.search}`;

export async function runGadgetSpec<E extends HTMLElement>(
  file: string,
  layoutUrl: string,
  tag: string,
): Promise<RunningGadget<E>> {
  const fake = currentFakeFinesse();
  if (!fake) throw new Error('install the fake Finesse first (hub: manual)');
  const xml = await (await fetch(`/gadgets/${file}`)).text();
  const spec = new DOMParser().parseFromString(xml, 'application/xml');
  const content = new DOMParser().parseFromString(
    spec.querySelector('Content')!.textContent!,
    'text/html',
  );
  const script = [...content.querySelectorAll('script:not([src])')]
    .map((s) => s.textContent ?? '')
    .join('\n');
  for (const s of content.body.querySelectorAll('script')) s.remove();
  const frame = document.createElement('div');
  frame.dataset.gadget = file;
  frame.append(...[...content.body.childNodes].map((n) => document.importNode(n, true)));
  history.replaceState(
    null,
    '',
    `${window.location.pathname}?url=${encodeURIComponent(layoutUrl)}`,
  );
  document.body.append(frame);
  new Function(script)();
  if (frame.querySelector(tag))
    throw new Error(`${file}: <${tag}> exists before the hub connected`);
  fake.connectHub();
  await waitUntil(() => frame.querySelector(tag), `${file} created <${tag}> on onConnect`, {
    timeout: 5000,
  });
  return {
    el: frame.querySelector(tag) as E,
    remove() {
      frame.remove();
      history.replaceState(null, '', page);
    },
  };
}
