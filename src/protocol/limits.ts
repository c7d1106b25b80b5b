/** Limits shared by clients and servers; a server rejects more, a client refuses to send more. */
export const Limits = {
  /** Longest chat message text, in UTF-16 code units. */
  maxMessageLength: 4000,
  /** Most messages a join answer may carry (a restore beyond this pages by afterSeq). */
  maxTranscriptPage: 20000,
  /** Most properties one update may set. */
  maxPropertiesPerUpdate: 200,
  /** Longest property value. */
  maxPropertyLength: 2048,
  /** Longest property name. */
  maxPropertyKeyLength: 128,
  /** Most properties a client keeps for one interaction (keys past it are dropped, reported). */
  maxStoredProperties: 1000,
  /** Most a version may move between two looks at one server's stream: no interaction goes
   *  through a million property changes between two watches. A bigger jump is a contradiction
   *  (see `src/protocol/version-trust.ts`). */
  maxVersionJump: 1_000_000,
  /** Longest id (session, interaction, client message id, request id). */
  maxIdLength: 128,
  /** Largest socket.io payload a server accepts (bytes). */
  maxPayloadBytes: 64 * 1024,
} as const;
