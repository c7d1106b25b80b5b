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
  /** Longest id (session, interaction, client message id, request id). */
  maxIdLength: 128,
  /** Largest socket.io payload a server accepts (bytes). */
  maxPayloadBytes: 64 * 1024,
} as const;
