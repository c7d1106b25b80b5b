// Theme: light by default (or the OS preference), dark on request; remembered.
import { update } from './store.js';

export function initialTheme(): 'light' | 'dark' {
  const saved = localStorage.getItem('ag-demo-theme');
  const fromUrl = new URLSearchParams(location.search).get('theme');
  const pick = fromUrl ?? saved;
  if (pick === 'light' || pick === 'dark') return pick;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('ag-demo-theme', next);
  update();
}
