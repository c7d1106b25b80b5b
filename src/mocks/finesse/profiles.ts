/**
 * What each Finesse version's finesse.js offers a gadget, as read from Cisco's published
 * library and sample gadgets (CiscoDevNet/finesse-sample-code): 10.5 has no
 * `finesse.gadget.Config` (its sample gadgets build one from the container's prefs, and RestBase
 * objects read `finesse.container.Config`); 11.0+ provides `finesse.gadget.Config`; 12.0+ has the
 * Media / MediaDialogs task API (non-voice dialogs); 12.5+ has `dialog.updateCallVariables`.
 */
export interface FinesseProfile {
  readonly version: string;
  /** finesse.js defines finesse.gadget.Config itself */
  readonly providesConfig: boolean;
  /** User.getMediaList / Media.getMediaDialogs (task routing of chats and emails) */
  readonly mediaApi: boolean;
  /** Dialog.updateCallVariables (else PUT UPDATE_CALL_DATA through gadgets.io.makeRequest) */
  readonly updateCallVariables: boolean;
}

export function finesseProfile(version: string): FinesseProfile {
  const [major = 0, minor = 0] = version.split('.').map((x) => Number(x) || 0);
  const atLeast = (ma: number, mi: number) => major > ma || (major === ma && minor >= mi);
  return {
    version,
    providesConfig: atLeast(11, 0),
    mediaApi: atLeast(12, 0),
    updateCallVariables: atLeast(12, 5),
  };
}
