import { AgSurveyTransfer } from '../survey/survey-transfer.js';

export { AgSurveyTransfer };

// Registration is the only side effect of this module; a second import (two bundles on one
// page) must not throw.
if (!customElements.get('ag-survey-transfer'))
  customElements.define('ag-survey-transfer', AgSurveyTransfer);

declare global {
  interface HTMLElementTagNameMap {
    'ag-survey-transfer': AgSurveyTransfer;
  }
}
