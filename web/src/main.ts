import './styles.css';
import { append, focus, h } from './dom';
import { createFrame, pageHeading, renderHeader, setTitle, showFlash } from './layout';
import { explain } from './messages';
import { interceptLinks, navigate, setRenderer, takeFlash } from './nav';
import { adminIndexPage, adminPage } from './pages/admin';
import { adminAgentPage } from './pages/admin-agent';
import { challengePage } from './pages/challenge';
import { devicePage, signInThroughProviderFor } from './pages/device';
import type { PageContext } from './pages/page';
import { profilePage } from './pages/profile';
import { setupPage } from './pages/setup';
import { forgotPasswordPage } from './pages/forgot-password';
import { invitationPage } from './pages/invitation';
import { resetPasswordPage } from './pages/reset-password';
import { signInPage } from './pages/sign-in';
import { signUpPage } from './pages/sign-up';
import { ssoPage } from './pages/sso';
import { verifyEmailPage } from './pages/verify-email';
import { workspacePage } from './pages/workspace';
import { workspacesPage } from './pages/workspaces';
import { session } from './session';
import { app, handleSessionEnded, loadHome, sessionEnded } from './state';

interface Route {
  pattern: RegExp;
  title: string;
  page: (ctx: PageContext) => Promise<void>;
  /** Reachable without a session (a signed-in agent is sent to its workspaces). */
  isPublic?: boolean;
  /** Reachable with a session or without: the pages e-mail links open. */
  isOpen?: boolean;
  /** Without a session, another way in than the sign-in page: true when it sent the browser there. */
  signInFirst?: (query: URLSearchParams) => Promise<boolean>;
}

const ROUTES: Route[] = [
  { pattern: /^\/sign-in$/, title: 'Sign in', page: signInPage, isPublic: true },
  { pattern: /^\/sign-up$/, title: 'Create an account', page: signUpPage, isPublic: true },
  { pattern: /^\/forgot-password$/, title: 'Forgot password', page: forgotPasswordPage, isPublic: true },
  { pattern: /^\/reset-password$/, title: 'Choose a new password', page: resetPasswordPage, isOpen: true },
  { pattern: /^\/verify-email$/, title: 'Verify your e-mail address', page: verifyEmailPage, isOpen: true },
  { pattern: /^\/invitation$/, title: 'Join a tenant', page: invitationPage, isOpen: true },
  { pattern: /^\/sso$/, title: 'Single sign-on', page: ssoPage, isOpen: true },
  { pattern: /^\/$/, title: 'Workspaces', page: workspacesPage },
  { pattern: /^\/workspaces\/([^/]+)$/, title: 'Workspace', page: workspacePage },
  { pattern: /^\/challenge$/, title: 'Two-factor verification', page: challengePage },
  { pattern: /^\/device$/, title: 'Sign in a device', page: devicePage, signInFirst: signInThroughProviderFor },
  { pattern: /^\/setup\/([^/]+)$/, title: 'Set up two-factor authentication', page: setupPage },
  { pattern: /^\/my\/profile\/two-factor$/, title: 'Two-factor authentication · My profile', page: profilePage },
  { pattern: /^\/admin$/, title: 'Admin console', page: adminIndexPage },
  { pattern: /^\/admin\/([^/]+)$/, title: 'Admin console', page: adminPage },
  { pattern: /^\/admin\/([^/]+)\/agents\/([^/]+)$/, title: 'Agent', page: adminAgentPage },
];

const root = document.getElementById('app')!;
const frame = createFrame(root);
interceptLinks(document.body);
let renders = 0;

async function render(): Promise<void> {
  const renderId = ++renders;
  const isFirst = renderId === 1;
  const pathname = location.pathname.replace(/\/+$/, '') || '/';
  if (pathname === '/my/profile') return navigate('/my/profile/two-factor', { replace: true });
  const route = ROUTES.find((candidate) => candidate.pattern.test(pathname));
  const flash = takeFlash();

  if (!session.token && !route?.isPublic && !route?.isOpen) {
    if (await route?.signInFirst?.(new URLSearchParams(location.search))) return;
    const next = pathname === '/' ? '' : `?${new URLSearchParams({ next: pathname + location.search })}`;
    return navigate(`/sign-in${next}`, { replace: true, flash: flash ?? undefined });
  }
  try {
    if (session.token && !app.me && !(await loadHome())) return sessionEnded();
  } catch (failure) {
    if (handleSessionEnded(failure)) return;
  }
  if (session.token && route?.isPublic) return navigate('/', { replace: true, flash: flash ?? undefined });
  if (renderId !== renders) return;

  const main = h('main', { id: 'main', tabindex: '-1' });
  document.getElementById('main')!.replaceWith(main);
  renderHeader(frame, pathname);
  showFlash(frame, flash);
  setTitle(route?.title ?? 'Page not found'); // pages that know more (a workspace, a tenant) say so

  const ctx: PageContext = { main, params: route ? route.pattern.exec(pathname)!.slice(1).map(decodeURIComponent) : [], query: new URLSearchParams(location.search) };
  main.setAttribute('aria-busy', 'true');
  try {
    if (route) await route.page(ctx);
    else append(main, [pageHeading('Page not found'), h('p', null, h('a', { href: '/' }, 'Back to workspaces'))]);
  } catch (failure) {
    if (handleSessionEnded(failure)) return;
    console.error(failure);
    main.replaceChildren();
    append(main, [pageHeading(route?.title ?? 'Error'), h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure)), h('p', null, h('a', { href: '/' }, 'Back to workspaces'))]);
  } finally {
    main.removeAttribute('aria-busy');
  }
  if (renderId !== renders || !main.isConnected) return;
  // A new page: move focus to its heading (or the field it asked for) so keyboard and screen reader users start there.
  if (ctx.focusTarget) focus(ctx.focusTarget);
  else if (!isFirst) focus(main.querySelector<HTMLElement>('h1'));
}

setRenderer(render);
window.addEventListener('popstate', () => void render());
void render();
