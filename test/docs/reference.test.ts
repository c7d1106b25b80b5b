// fixtureSync: fixture() waits a requestAnimationFrame for a non-Lit root, which a background
// test page (two files run at once) may not get
import { expect, fixtureSync, html } from '@open-wc/testing';
import { renderReference } from '../../demo/src/reference.js';

const manifest = {
  modules: [
    { path: 'dist/lib/core/index.js', declarations: [{ name: 'helper' }] },
    {
      path: 'dist/lib/chat/chat-panel.js',
      declarations: [
        {
          customElement: true,
          tagName: 'ag-chat-panel',
          name: 'AgChatPanel',
          summary: 'Chat panel',
          description: 'Follows its <session> across `failovers`.',
          attributes: [
            {
              name: 'interaction-id',
              fieldName: 'interactionId',
              type: { text: 'string' },
              default: "''",
              description: 'the interaction',
            },
          ],
          members: [
            {
              kind: 'field',
              name: 'tokenProvider',
              type: { text: 'TokenSource | undefined' },
              description: 'credentials',
            },
            { kind: 'field', name: 'windowSize', privacy: 'private' },
            { kind: 'method', name: 'send' },
          ],
          events: [
            {
              name: 'ag-relocated',
              type: { text: 'AgRelocatedEvent' },
              detail: { text: '{ from: string; to: string; gapMs: number; }' },
              description: 'moved',
            },
          ],
          cssParts: [{ name: 'transcript', description: 'the transcript' }],
          cssProperties: [{ name: '--ag-surface', default: '#ffffff', description: 'background' }],
        },
      ],
    },
  ],
};

describe('component reference page (demo/reference.html)', () => {
  it('renders attributes, properties, events with detail, parts, custom properties and error codes', async () => {
    const el = fixtureSync<HTMLElement>(html`<main></main>`);
    el.innerHTML = renderReference(manifest);
    const tables = [...el.querySelectorAll('h3')].map((h) => h.textContent);
    expect(tables).to.deep.equal([
      'Attributes',
      'Properties',
      'Events',
      'CSS parts',
      'CSS custom properties',
    ]);
    const text = el.textContent!;
    expect(text).to.contain('<ag-chat-panel>');
    expect(text).to.contain('{ from: string; to: string; gapMs: number; }');
    expect(text).to.contain('AgRelocatedEvent');
    expect(text).to.contain('#ffffff');
    const properties = [...el.querySelectorAll('h3')]
      .find((h) => h.textContent === 'Properties')!
      .nextElementSibling!.querySelectorAll('tbody td:first-child');
    // public fields only: no private field, no method
    expect([...properties].map((td) => td.textContent)).to.deep.equal(['tokenProvider']);
    // every stable error code, from src/protocol/errors.ts
    const codes = [
      ...el.querySelectorAll(
        '#error-codes ~ table td:first-child, section[aria-labelledby="error-codes"] td:first-child',
      ),
    ].map((td) => td.textContent);
    expect(codes).to.include.members(['bad-config', 'heartbeat-timeout', 'invalid-sms-number']);
    await expect(el).to.be.accessible();
  });

  it('renders descriptions as text: markup in the manifest is escaped, backticks become code', async () => {
    const el = fixtureSync<HTMLElement>(html`<main></main>`);
    el.innerHTML = renderReference(manifest);
    expect(el.querySelector('session'), 'no element injected').to.equal(null);
    expect(el.textContent).to.contain('Follows its <session> across failovers.');
    expect([...el.querySelectorAll('code')].some((c) => c.textContent === 'failovers')).to.be.true;
  });
});
