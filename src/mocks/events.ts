/** Cluster activity, for the demo's live view and for tests that wait on the mock itself. */
export type MockEvent =
  | { type: 'chat-started'; interactionId: string; sessionId: string; instanceId: string }
  | { type: 'interactions-killed'; serverId: string }
  | { type: 'interactions-revived'; serverId: string }
  | { type: 'chat-killed'; instanceId: string }
  | { type: 'chat-revived'; instanceId: string }
  | { type: 'chat-frozen'; instanceId: string }
  | { type: 'chat-unfrozen'; instanceId: string }
  | { type: 'chat-draining'; instanceId: string }
  | {
      type: 'chat-restored';
      interactionId: string;
      sessionId: string;
      from: string;
      to: string;
      epoch: number;
    }
  | {
      type: 'chat-relocated';
      interactionId: string;
      sessionId: string;
      from: string;
      to: string;
      epoch: number;
    }
  | { type: 'chat-session-closed'; interactionId: string; sessionId: string; reason: string }
  | { type: 'pcs-killed'; nodeId: string }
  | { type: 'pcs-revived'; nodeId: string }
  | { type: 'pcs-frozen'; nodeId: string }
  | { type: 'pcs-unfrozen'; nodeId: string }
  | { type: 'pcs-primary'; nodeId: string; epoch: number }
  | { type: 'pcs-split-brain'; stale: string; fresh: string }
  | { type: 'survey-status'; requestId: string; status: string; score?: number }
  | { type: 'finesse-call'; dialogId: string; state: string }
  | { type: 'finesse-transfer'; dialogId: string; to: string; kind: 'sst' | 'consult' };

export type MockEventType = MockEvent['type'];
