// The console: a hash router over pages that read the API with the signed-in user's token.
import { html, render, nothing } from 'lit-html';
import { t, roleName, toggleLocale } from './i18n.js';
import { loadConfig, completeRedirect, token, signOut } from './auth.js';
import { get, alliancePath } from './api.js';
import { loading, problem } from './ui.js';
import { signInPage } from './pages/signin.js';
import { overviewPage } from './pages/overview.js';
import { memberPage } from './pages/member.js';
import { sharingPage } from './pages/sharing.js';
import { periodsPage } from './pages/periods.js';
import { fundingPage } from './pages/funding.js';
import { eventPage } from './pages/event.js';

const app = document.getElementById('app');
app.replaceChildren(); // the static placeholder goes; lit-html renders into an empty container
const state = { config: null, me: null, alliances: new Map() };
let navigation = 0;

/** The alliance as the API describes it (members, time zone, currency), read once per session. */
async function alliance(code) {
  if (!state.alliances.has(code)) state.alliances.set(code, get(alliancePath(code)));
  return state.alliances.get(code);
}

const can = (role, page) => ({
  overview: ['finance-officer', 'auditor'],
  member: ['finance-officer', 'auditor', 'member'],
  sharing: ['finance-officer', 'auditor', 'member'],
  periods: ['finance-officer', 'auditor', 'member'],
  funding: ['finance-officer', 'auditor'],
}[page] ?? []).includes(role);

function home() {
  const me = state.me;
  const first = me.alliances[0]?.code;
  if (!first) return '#/none';
  return me.role === 'member' ? `#/a/${first}/m/${me.member}` : `#/a/${first}`;
}

function shell(content, current) {
  const me = state.me;
  const code = current?.alliance;
  const link = (page, href, label) => (can(me.role, page)
    ? html`<a href=${href} aria-current=${current?.page === page ? 'page' : 'false'}>${label}</a>` : nothing);
  return html`
    <header class="top">
      <span class="brand">${t('appName')}</span>
      ${code ? html`<nav aria-label="main">
        ${me.alliances.length > 1 ? html`<label class="alliance-pick">${t('chooseAlliance')}
          <select @change=${(e) => { location.hash = `#/a/${e.target.value}`; }}>
            ${me.alliances.map((a) => html`<option value=${a.code} ?selected=${a.code === code}>${a.code}</option>`)}
          </select></label>` : html`<span class="alliance-code">${code}</span>`}
        ${link('overview', `#/a/${code}`, t('overview'))}
        ${me.role === 'member' ? link('member', `#/a/${code}/m/${me.member}`, t('myLibrary')) : nothing}
        ${link('sharing', `#/a/${code}/sharing`, t('sharing'))}
        ${link('periods', `#/a/${code}/periods`, t('periods'))}
        ${link('funding', `#/a/${code}/funding`, t('funding'))}
      </nav>` : nothing}
      <span class="who" data-testid="who">${t('signedInAs')}: ${me.user} · ${roleName(me.role)}${me.member ? ` · ${me.member}` : ''}${me.department ? ` · ${me.department}` : ''}</span>
      <button type="button" class="link" @click=${() => { toggleLocale(); route(); }}>${t('language')}</button>
      <button type="button" class="link" @click=${async () => { await signOut(); state.me = null; location.hash = '#/signin'; }}>${t('signOut')}</button>
    </header>
    <main>${content}</main>`;
}

function parse(hash) {
  const parts = hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(hash.split('?')[1] || '');
  if (parts[0] !== 'a' || !parts[1]) return { page: parts[0] || 'home', query };
  const alliance = parts[1];
  if (parts[2] === 'm' && parts[3]) return { page: 'member', alliance, member: parts[3], query };
  if (parts[2] === 'events' && parts[3]) return { page: 'event', alliance, sequence: parts[3], query };
  return { page: parts[2] || 'overview', alliance, query };
}

const pages = { overview: overviewPage, member: memberPage, sharing: sharingPage, periods: periodsPage, funding: fundingPage, event: eventPage };

export async function route() {
  const ticket = ++navigation;
  if (!token()) {
    if (location.hash !== '#/signin') { location.hash = '#/signin'; return; }
    render(signInPage(state.config, async () => { state.me = null; location.hash = '#/'; await route(); }), app);
    return;
  }
  if (!state.me) {
    render(loading(), app);
    try {
      state.me = await get('/api/me');
    } catch (error) {
      await signOut();
      render(html`${problem(error)}${signInPage(state.config, () => route())}`, app);
      return;
    }
  }
  const current = parse(location.hash);
  if (current.page === 'signin' || current.page === 'home' || (current.alliance && current.page === 'overview' && !can(state.me.role, 'overview'))) {
    if (state.me.alliances.length && !['finance-officer', 'auditor', 'member'].includes(state.me.role)) {
      render(shell(html`<p class="problem">${t('consoleNotForRole')}</p>`), app);
      return;
    }
    location.hash = home();
    return;
  }
  const page = pages[current.page];
  if (!page) { render(shell(html`<p class="problem">${t('consoleNotForRole')}</p>`), app); return; }
  render(shell(loading(), current), app);
  const context = {
    ...current, me: state.me, refresh: route,
    alliance: current.alliance, allianceInfo: () => alliance(current.alliance),
    show: (template) => { if (ticket === navigation) render(shell(template, current), app); },
  };
  try {
    const template = await page(context);
    context.show(template);
    if (ticket === navigation) document.getElementById('main')?.focus();
  } catch (error) {
    context.show(problem(error, route));
  }
}

window.addEventListener('hashchange', route);
(async () => {
  state.config = await loadConfig();
  try { await completeRedirect(); } catch (error) { render(problem(error), app); return; }
  await route();
})();
