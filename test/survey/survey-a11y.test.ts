// Accessibility in every state the agent can meet, light and dark; and clean removal.
import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { MockBackend } from '../../src/mocks/index.js';
import { StandaloneHost } from '../../src/hosts/standalone-host.js';
import { button, mount, part, ready, startMock, stopMock, text } from './helpers.js';

describe('ag-survey-transfer accessibility and lifecycle', () => {
  let mock: MockBackend;

  beforeEach(async () => {
    mock = await startMock();
  });
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light' });
    await stopMock(mock);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`is axe-clean in every state (${colorScheme})`, async () => {
      await emulateMedia({ colorScheme });
      // no call
      const el = await mount(mock, { mode: 'hangup' });
      await waitUntil(() => text(el, 'reason') === 'No call', 'no call');
      await expect(el).to.be.accessible();

      // survey ready
      const { dialogId } = mock.finesse.startCall({ ani: '123', dialedNumber: '8000' });
      await ready(el);
      await expect(el).to.be.accessible();

      // SMS with an invalid number: error shown, field marked
      el.shadowRoot!.querySelector<HTMLInputElement>('input[value="sms"]')!.click();
      await el.updateComplete;
      button(el).click();
      await waitUntil(() => part(el, 'error') !== null, 'error shown');
      await expect(el).to.be.accessible();

      // armed, then Finesse failover
      el.shadowRoot!.querySelector<HTMLInputElement>('input[value="ivr"]')!.click();
      await el.updateComplete;
      button(el).click();
      await waitUntil(() => el.surveyStatus === 'armed', 'armed', { timeout: 5000 });
      await expect(el).to.be.accessible();
      mock.finesse.disconnect();
      await waitUntil(
        () => text(el, 'connection') === 'Finesse reconnecting',
        'Finesse reconnecting',
      );
      await expect(el).to.be.accessible();
      mock.finesse.reconnect();

      // completed with a score
      mock.finesse.endCall(dialogId);
      await waitUntil(() => el.surveyStatus === 'completed', 'completed', { timeout: 8000 });
      await expect(el).to.be.accessible();

      // PCS unreachable
      for (const id of Object.keys(mock.urls.pcs)) mock.pcs.kill(id);
      await waitUntil(() => text(el, 'connection') === 'PCS unreachable, retrying', 'unreachable', {
        timeout: 8000,
      });
      await expect(el).to.be.accessible();
    });
  }

  it('is axe-clean with no survey for the number and with a call that is not active', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8001' });
    const el = await mount(mock);
    await waitUntil(() => text(el, 'reason') === 'No survey for 8001', 'no survey', {
      timeout: 8000,
    });
    await expect(el).to.be.accessible();

    const held = await mount(mock, {
      hostAdapter: new StandaloneHost({
        call: { dialogId: 'd-held', ani: '5551234567', dialedNumber: '8000', state: 'HELD' },
      }),
    });
    await waitUntil(() => text(held, 'reason') === 'The call is not active', 'not active');
    expect(button(held).disabled).to.be.true;
    await expect(held).to.be.accessible();
  });

  it('theme="dark" / "light" force a scheme whatever the user prefers, axe-clean in both', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock);
    await ready(el);
    const bg = () => getComputedStyle(el).backgroundColor;
    const light = bg();
    el.setAttribute('theme', 'dark');
    await el.updateComplete;
    expect(bg()).to.not.equal(light);
    await expect(el).to.be.accessible();
    await emulateMedia({ colorScheme: 'dark' });
    el.setAttribute('theme', 'light');
    await el.updateComplete;
    expect(bg()).to.equal(light);
    await expect(el).to.be.accessible();
  });

  it('status is a polite live region and the action names its reason', async () => {
    const el = await mount(mock);
    await waitUntil(() => text(el, 'reason') === 'No call', 'no call');
    const status = part(el, 'status')!;
    expect(status.getAttribute('role')).to.equal('status');
    expect(status.getAttribute('aria-live')).to.equal('polite');
    expect(button(el).getAttribute('aria-describedby')).to.equal('reason');
  });

  it('removing the element closes its PCS socket', async () => {
    mock.finesse.startCall({ ani: '5551234567', dialedNumber: '8000' });
    const el = await mount(mock);
    await ready(el);
    await waitUntil(() => mock.connections() > 0, 'socket open');
    el.remove();
    await waitUntil(() => mock.connections() === 0, 'socket closed after removal');
    expect(el.connectionState).to.equal('idle');
  });
});
