// English: the fallback for every other language, and the list of message keys (MessageKey);
// the other catalogues must define every one of them. Each element builds in only its own part
// (en-chat.ts, en-survey.ts), so neither bundle carries the other's strings.
import { enChat } from './en-chat.js';
import { enSurvey } from './en-survey.js';

export const en = {
  $code: 'en',
  $name: 'English',
  $dir: 'ltr',
  ...enChat,
  ...enSurvey,
} as const;
