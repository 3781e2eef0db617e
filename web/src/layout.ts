import { displayText, h, replace } from './dom';
import { localPath, type Flash } from './nav';
import { session } from './session';
import { app, isAdmin, signOut } from './state';

/**
 * The frame around every page: the header, two live regions for messages (polite status, assertive alert),
 * and the <main> each page renders into.
 */
export interface Frame {
  header: HTMLElement;
  status: HTMLElement;
  alert: HTMLElement;
}

export function createFrame(root: HTMLElement): Frame {
  const header = h('header', { class: 'topbar' });
  const status = h('div', { class: 'flash', role: 'status', 'aria-live': 'polite', id: 'flash-status' });
  const alert = h('div', { class: 'flash', role: 'alert', id: 'flash-alert' });
  replace(root, header, h('div', { class: 'flash-area' }, status, alert), h('main', { id: 'main', tabindex: '-1' }));
  return { header, status, alert };
}

/** Shows (or clears) the page-level message: errors in the alert region, everything else in the status one. */
export function showFlash(frame: Frame, flash: Flash | null): void {
  const target = flash?.tone === 'error' || flash?.tone === 'warning' ? frame.alert : frame.status;
  for (const region of [frame.status, frame.alert]) {
    region.replaceChildren();
    region.className = 'flash';
  }
  if (!flash) return;
  target.className = `flash flash-${flash.tone}`;
  // Written after the region is in place, so screen readers announce it.
  requestAnimationFrame(() => replace(target, h('p', null, flash.text)));
}

const NAV = [
  { href: '/', label: 'Workspaces', match: (path: string) => path === '/' || path.startsWith('/workspaces/') },
  { href: '/my/profile/two-factor', label: 'My profile', match: (path: string) => path.startsWith('/my/') },
  { href: '/admin', label: 'Admin', match: (path: string) => path.startsWith('/admin'), adminOnly: true },
];

/**
 * The path whose nav item is current. The setup and challenge pages are steps on the way somewhere (a
 * workspace, the admin console, the profile): they belong to where the agent was going.
 */
function sectionOf(pathname: string): string {
  const goingTo =
    pathname.startsWith('/setup/') ? localPath(new URLSearchParams(location.search).get('then')) ?? '/' :
    pathname === '/challenge' ? localPath(session.challenge?.returnTo) :
    null;
  return goingTo?.split(/[?#]/)[0] ?? pathname;
}

export function renderHeader(frame: Frame, pathname: string): void {
  const brand = h('a', { class: 'brand', href: app.me ? '/' : '/sign-in' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Identity console');
  if (!app.me) {
    replace(frame.header, h('div', { class: 'topbar-inner' }, brand));
    return;
  }
  const showAdmin = app.tenants.some(isAdmin);
  const links = NAV.filter((item) => !item.adminOnly || showAdmin).map((item) =>
    h('li', null, h('a', { href: item.href, 'aria-current': item.match(sectionOf(pathname)) ? 'page' : undefined }, item.label)),
  );
  replace(
    frame.header,
    h(
      'div',
      { class: 'topbar-inner' },
      brand,
      h('nav', { 'aria-label': 'Main' }, h('ul', null, links)),
      h(
        'div',
        { class: 'user' },
        h('span', { class: 'user-name' }, app.me.name),
        h('span', { class: 'user-email' }, app.me.email),
        h('button', { type: 'button', class: 'button button-quiet', onclick: () => void signOut() }, 'Sign out'),
      ),
    ),
  );
}

/** The tab's title, most specific first: `setTitle('Billing', 'Acme Support')` → "Billing · Acme Support · Identity console". */
export function setTitle(...parts: string[]): void {
  document.title = displayText([...parts, 'Identity console'].join(' · '));
}

/** A page heading that focus can move to when the page opens. */
export function pageHeading(text: string, subtitle?: string): HTMLElement {
  return h('div', { class: 'page-heading' }, h('h1', { tabindex: '-1' }, text), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null);
}

export function badge(label: string, tone: string): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, label);
}
