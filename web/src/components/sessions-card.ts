import { MySessionsDocument, SignOutOtherSessionsDocument, SignOutSessionDocument, type SessionInfoPartsFragment } from '../../../src/client/generated/graphql';
import { describeUserAgent } from '../../../src/client/user-agent';
import { call, GatewayError, isGatewayError } from '../api';
import { busy, formatDateTime, h, replace, uid } from '../dom';
import { badge } from '../layout';
import { explain } from '../messages';
import type { Tone } from '../nav';
import { handleSessionEnded } from '../state';
import { confirmDialog } from './confirm-dialog';

/**
 * "Sessions": every place the agent is signed in (device, address, when it began, when it was last used), with
 * the current one marked, a Sign out button for each of the others, and Sign out all other sessions.
 */
export function sessionsCard(initial: SessionInfoPartsFragment[]): HTMLElement {
  let sessions = initial;
  const titleId = uid('card-title');
  const notice = h('div', { class: 'card-notice', role: 'status' });
  const body = h('div', { class: 'card-body' });
  const card = h(
    'section',
    { class: 'card sessions-card', 'aria-labelledby': titleId },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, 'Sessions'), h('p', { class: 'card-kicker' }, 'Where you are signed in. "Last used" is kept to the minute.'))),
    notice,
    body,
  );

  const setNotice = (text: string | null, tone: Tone = 'success') => {
    notice.className = text ? `card-notice notice-${tone}` : 'card-notice';
    replace(notice, text ? h('p', null, text) : null);
  };

  const reload = async () => {
    const { me } = await call(MySessionsDocument, {});
    if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
    sessions = me.sessions;
    render();
  };

  /** Runs one sign-out with the card busy, then shows what happened and the fresh list. */
  const act = async (work: () => Promise<string>) => {
    setNotice(null);
    try {
      const done = await busy(card, work);
      await reload();
      setNotice(done);
    } catch (error) {
      if (handleSessionEnded(error)) return;
      if (isGatewayError(error, 'NOT_FOUND')) {
        await reload().catch(() => undefined);
        setNotice('That session had already ended.', 'info');
        return;
      }
      setNotice(explain(error), 'error');
    }
  };

  function sessionRow(session: SessionInfoPartsFragment): HTMLElement {
    // A device sign-in names its session ("tenant-2fa on build-01"); a browser is named by its User-Agent.
    const device = session.clientName ?? describeUserAgent(session.userAgent);
    const signOut = session.current
      ? badge('This session', 'blue')
      : h(
          'button',
          {
            type: 'button',
            class: 'button button-secondary button-small',
            'aria-label': `Sign out ${device}${session.clientIp ? ` at ${session.clientIp}` : ''}`,
            onclick: () =>
              void act(async () => {
                await call(SignOutSessionDocument, { sessionId: session.id });
                return `Signed out ${device}.`;
              }),
          },
          'Sign out',
        );
    return h(
      'li',
      { class: 'row session-row', 'data-session-id': session.id, 'data-current': session.current ? 'true' : undefined },
      h(
        'div',
        { class: 'session-main' },
        h('span', { class: 'row-title', title: session.userAgent ?? undefined }, device),
        h(
          'span',
          { class: 'muted session-facts' },
          session.clientIp ?? 'Unknown address',
          ' · signed in ',
          h('time', { datetime: session.createdAt }, formatDateTime(session.createdAt)),
          ' · last used ',
          session.lastUsedAt ? h('time', { datetime: session.lastUsedAt }, formatDateTime(session.lastUsedAt)) : 'never',
        ),
      ),
      signOut,
    );
  }

  function render(): void {
    const others = sessions.filter((s) => !s.current);
    const signOutOthers = h(
      'button',
      {
        type: 'button',
        class: 'button button-danger',
        onclick: async () => {
          const confirmed = await confirmDialog({
            title: 'Sign out all other sessions?',
            body: `This signs you out everywhere else (${others.length === 1 ? '1 session' : `${others.length} sessions`}). This session stays signed in.`,
            confirmLabel: 'Sign out others',
          });
          if (!confirmed) return;
          await act(async () => {
            const { signOutOtherSessions: ended } = await call(SignOutOtherSessionsDocument, {});
            return ended === 1 ? 'Signed out 1 other session.' : `Signed out ${ended} other sessions.`;
          });
        },
      },
      'Sign out all other sessions',
    );
    replace(
      body,
      h('ul', { class: 'rows', 'aria-label': 'Your sessions' }, sessions.map(sessionRow)),
      others.length ? h('div', { class: 'actions' }, signOutOthers) : h('p', { class: 'muted' }, 'You are not signed in anywhere else.'),
    );
  }

  render();
  return card;
}
