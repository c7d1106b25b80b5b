/**
 * Voice calls in the mock: the fake Finesse's dialogs, the voice interaction each call gets
 * (`voice.*`, then `survey.*` properties, for standalone hosts), and the mock IVR's ear on
 * them: a transfer to the survey DN, or the hang-up of a call marked for the survey, makes the
 * PCS play the survey for that call.
 */
import { Props } from '../protocol/wire.js';
import {
  installFakeFinesse,
  type FakeCall,
  type FakeFinesse,
  type FakeFinesseOptions,
} from './finesse/fake-finesse.js';
import type { InteractionServer } from './interaction-server.js';
import { seededSurveys } from '../backend/rules.js';
import type { PcsCluster, SurveyRequestRecord } from './pcs-cluster.js';

const surveyDns = new Set(seededSurveys.map((x) => x.surveyDn));

export class VoiceCalls {
  /** dialogId -> the voice interaction created for it */
  readonly #byDialog = new Map<string, string>();
  readonly #transferredToIvr = new Set<string>();
  #fake: FakeFinesse | undefined;

  constructor(private readonly interactions: InteractionServer) {}

  install(options: FakeFinesseOptions, pcs: PcsCluster): void {
    this.#fake = installFakeFinesse(options, {
      onDialog: (d) => {
        const interactionId = this.#byDialog.get(d.dialogId);
        if (interactionId && this.interactions.has(interactionId)) {
          const current = this.interactions.get(interactionId).properties[Props.voiceState];
          if (current !== d.state)
            this.interactions.setProperties(interactionId, { [Props.voiceState]: d.state });
        }
        // Hang-up on a marked call: the main script routes the caller to the survey (CVP 11+).
        if (
          d.state === 'DROPPED' &&
          d.callVariables['user.microapp.isPostCallSurvey'] === 'y' &&
          !this.#transferredToIvr.has(d.dialogId)
        ) {
          for (const requestId of requestIdsOf(d.dialogId, d.callVariables, pcs))
            pcs.ivrReached(requestId, 'armed');
        }
      },
      onTransfer: (t) => {
        if (!surveyDns.has(t.to)) return;
        this.#transferredToIvr.add(t.dialogId);
        for (const requestId of requestIdsOf(t.dialogId, t.callVariables, pcs))
          pcs.ivrReached(requestId, 'transferred');
      },
    });
  }

  get fake(): FakeFinesse {
    if (!this.#fake)
      throw new Error(
        'agent-gadgets/mocks: start the mock with { finesse: true } to use the fake Finesse',
      );
    return this.#fake;
  }

  startCall(o: FakeCall): { dialogId: string; interactionId: string } {
    const { dialogId } = this.fake.startCall(o);
    const interactionId = `ix-voice-${dialogId}`;
    this.interactions.create(interactionId, {
      [Props.voiceDialogId]: dialogId,
      [Props.voiceAni]: o.ani,
      [Props.voiceDialedNumber]: o.dialedNumber,
      [Props.voiceState]: this.fake.dialog(dialogId)?.state ?? 'ACTIVE',
    });
    this.#byDialog.set(dialogId, interactionId);
    return { dialogId, interactionId };
  }

  /** The survey's progress, on the call's voice interaction. */
  surveyChanged(r: SurveyRequestRecord): void {
    const interactionId = this.#byDialog.get(r.dialogId);
    if (!interactionId || !this.interactions.has(interactionId)) return;
    this.interactions.setProperties(interactionId, {
      [Props.surveyRequestId]: r.requestId,
      [Props.surveyStatus]: r.status,
    });
  }

  uninstall(): void {
    this.#fake?.uninstall();
  }
}

/** The request named in the call's variables, else every request made for that dialog. */
function requestIdsOf(dialogId: string, vars: Record<string, string>, pcs: PcsCluster): string[] {
  const named = vars['user.pcs.requestId'];
  return named ? [named] : pcs.requestsForDialog(dialogId);
}
