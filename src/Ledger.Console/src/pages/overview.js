// Alliance overview (finance officer, auditor): every member's balance with the zero total, net positions as a chart,
// open disputes, and the periods with their state.
import { html } from 'lit-html';
import { t, moment } from '../i18n.js';
import { get, alliancePath } from '../api.js';
import { amount, heading, section } from '../ui.js';
import { chart, bars } from '../charts.js';

export async function overviewPage(ctx) {
  const base = alliancePath(ctx.alliance);
  const [info, balances, disputes, periods] = await Promise.all([
    ctx.allianceInfo(), get(`${base}/balances`), get(`${base}/disputes`), get(`${base}/periods`)]);
  const names = new Map(info.members.map((m) => [`member:${m.code}`, m]));
  const members = balances.accounts.filter((a) => a.account.startsWith('member:'));
  const others = balances.accounts.filter((a) => !a.account.startsWith('member:'));
  const cur = balances.currency;
  const label = (account) => (names.get(account) ? `${names.get(account).code} ${names.get(account).name}` : account);

  return html`
    ${heading(`${t('overview')} · ${info.name}`)}
    <p class="meta">${t('asOfDate')} ${balances.asOf}</p>
    <div class="grid two">
      ${section(t('balances'), html`
        <table data-testid="balances">
          <thead><tr><th scope="col">${t('account')}</th><th scope="col" class="num">${t('balance')}</th><th scope="col" class="num">${t('late')}</th></tr></thead>
          <tbody>
            ${members.map((a) => html`<tr data-account=${a.account}>
              <th scope="row"><a href="#/a/${ctx.alliance}/m/${a.account.slice(7)}">${label(a.account)}</a></th>
              ${amount(a.balance, cur)}${amount(a.lateEntries, cur)}</tr>`)}
            ${others.map((a) => html`<tr data-account=${a.account}><th scope="row">${a.account}</th>${amount(a.balance, cur)}${amount(a.lateEntries, cur)}</tr>`)}
          </tbody>
          <tfoot><tr><th scope="row">${t('total')}</th>${amount(balances.total, cur, 'balances-total')}${amount(balances.lateEntriesTotal, cur)}</tr></tfoot>
        </table>
        <p class=${balances.total === 0 ? 'ok' : 'bad'}>${balances.total === 0 ? t('totalZero') : t('totalNotZero')}</p>`)}
      ${section(t('netPositions'), html`<div class="chart" role="img" aria-label=${t('netPositions')}
        ${chart(bars(members.map((a) => a.account.slice(7)), [{ name: t('balance'), data: members.map((a) => a.balance) }], { horizontal: true }))}></div>`)}
    </div>
    ${section(t('openDisputes'), disputes.length === 0 ? html`<p class="empty">${t('noDisputes')}</p>` : html`
      <table data-testid="disputes">
        <thead><tr><th>${t('kind')}</th><th>${t('id')}</th><th>${t('borrower')}</th><th>${t('lender')}</th><th>${t('title')}</th>
          <th class="num">${t('statedCharge')}</th><th class="num">${t('maximumCost')}</th><th>${t('raisedAt')}</th></tr></thead>
        <tbody>${disputes.map((d) => html`<tr><td>${t(d.kind)}</td><td>${d.id}</td><td>${d.borrower}</td><td>${d.lender}</td><td>${d.title}</td>
          ${amount(d.statedCharge, cur)}${amount(d.maximumCost, cur)}<td>${moment(d.raisedAt, info.timeZone)}</td></tr>`)}</tbody>
      </table>`)}
    ${section(t('periodList'), html`
      <table data-testid="periods">
        <thead><tr><th>${t('period')}</th><th>${t('from')}</th><th>${t('to')}</th><th>${t('state')}</th><th>${t('closedAt')}</th></tr></thead>
        <tbody>
          <tr class="open-period"><td><a href="#/a/${ctx.alliance}/periods">${periods.firstOpen.period}</a></td><td>${periods.firstOpen.from}</td>
            <td>${periods.firstOpen.to}</td><td>${t('open')}</td><td>—</td></tr>
          ${[...periods.closed].reverse().map((p) => html`<tr><td>${p.period}</td><td>${p.from}</td><td>${p.to}</td><td>${t('closed')}</td>
            <td>${moment(p.closedAt, info.timeZone)}</td></tr>`)}
        </tbody>
      </table>`)}`;
}
