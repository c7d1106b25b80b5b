// Localization: a message registry with English built in, German, Spanish and French
// catalogues (registered here by import, or loaded on demand by the elements), and a
// LocalizeController for elements. No side effects.
export * from './registry.js';
export { LocalizeController } from './localize-controller.js';
export { loadShippedLanguage, shippedLanguages } from './loader.js';
export { en } from './en.js';
export { de } from './de.js';
export { es } from './es.js';
export { fr } from './fr.js';
