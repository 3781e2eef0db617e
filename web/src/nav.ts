/**
 * Client-side navigation: History API paths (/my/profile/two-factor, /admin/…), which the gateway answers
 * with index.html, and the one-shot message shown on the next page.
 */
export type Tone = 'success' | 'error' | 'warning' | 'info';

export interface Flash {
  text: string;
  tone: Tone;
}

interface NavigateOptions {
  replace?: boolean;
  flash?: Flash;
}

let renderer: (() => Promise<void>) | null = null;
let pendingFlash: Flash | null = null;

export function setRenderer(render: () => Promise<void>): void {
  renderer = render;
}

export function navigate(path: string, options: NavigateOptions = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  pendingFlash = options.flash ?? null;
  void renderer?.();
}

/** The message for the page being rendered, once. */
export function takeFlash(): Flash | null {
  const flash = pendingFlash;
  pendingFlash = null;
  return flash;
}

/** A path of this console, or null: `then=` and `returnTo` values must not send anyone off-site. */
export function localPath(value: string | null | undefined): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return null;
  return value;
}

/** Follows same-origin links inside the console without reloading the page. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname === '/graphql') return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
}
