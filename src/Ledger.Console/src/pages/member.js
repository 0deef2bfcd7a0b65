// A member's page: balance now (or as of a date) and over time, the statement with filters and drill-down to the event
// behind each line, usage by month as charts, and what is not settled yet. A member token reaches only its own page:
// the API answers 403 for any other member, whatever the address says.
import { html, nothing } from 'lit-html';
import { t, money, moment, percent, number, today } from '../i18n.js';
import { get, alliancePath } from '../api.js';
import { amount, heading, section, problem } from '../ui.js';
import { chart, lines, bars } from '../charts.js';

const addDays = (iso, days) => { const d = new Date(`${iso}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + days); return d.toISOString().slice(0, 10); };
const monthsBack = (iso, n) => { const d = new Date(`${iso.slice(0, 7)}-01T00:00:00Z`); d.setUTCMonth(d.getUTCMonth() - n); return d.toISOString().slice(0, 7); };

/** The balance at the end of each business date over the last year, from the statement's opening balance and lines. */
async function history(base, member, from) {
  let page = await get(`${base}/members/${member}/statement?from=${from}&limit=1000`);
  const points = new Map();
  let running = page.openingBalance;
  for (let pages = 0; ; pages++) {
    for (const line of page.postings) {
      running = Math.round((running + line.amount) * 100) / 100;
      points.set(line.businessDate, running);
    }
    if (!page.next || pages >= 9) break;
    page = await get(`${base}/members/${member}/statement?from=${from}&limit=1000&after=${encodeURIComponent(page.next)}`);
  }
  return { opening: page.openingBalance, points: [...points.entries()] };
}

export async function memberPage(ctx) {
  const base = alliancePath(ctx.alliance);
  const member = ctx.member;
  const q = ctx.query;
  const filters = { from: q.get('from') || '', to: q.get('to') || '', asOf: q.get('asOf') || '' };
  const statementQuery = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  statementQuery.set('limit', '50');
  const [info, balance] = await Promise.all([ctx.allianceInfo(), get(`${base}/members/${member}/balance${filters.asOf ? `?asOf=${filters.asOf}` : ''}`)]);
  const day = today(info.timeZone);
  const [statement, unsettled, usage, trend] = await Promise.all([
    get(`${base}/members/${member}/statement?${statementQuery}`),
    get(`${base}/members/${member}/unsettled?limit=100`),
    get(`${base}/usage?from=${monthsBack(day, 11)}&to=${day.slice(0, 7)}&member=${member}`),
    history(base, member, addDays(day, -365)),
  ]);
  const cur = balance.currency;
  const m = info.members.find((x) => x.code === member);
  const lines$ = [...statement.postings];
  let next = statement.next;

  const row = (l) => html`<tr data-sequence=${l.sequence}>
    <td>${l.businessDate}</td>${amount(l.amount, cur)}<td>${l.counterAccounts.join(' ')}</td><td>${l.eventType}</td>
    <td>${l.recordedBy ?? '—'}</td><td>${moment(l.recordedAt, info.timeZone)}</td>
    <td><a class="button" href="#/a/${ctx.alliance}/events/${l.sequence}?member=${member}" aria-label="${t('details')} ${l.sequence}">${t('details')}</a></td></tr>`;

  const statementTable = () => html`
    <table data-testid="statement">
      <thead><tr><th>${t('date')}</th><th class="num">${t('amount')}</th><th>${t('counterAccounts')}</th><th>${t('eventType')}</th>
        <th>${t('recordedBy')}</th><th>${t('recordedAt')}</th><th><span class="sr">${t('details')}</span></th></tr></thead>
      <tbody>${lines$.map(row)}</tbody>
      <tfoot>
        <tr><th scope="row">${t('opening')}</th>${amount(statement.openingBalance, cur, 'statement-opening')}<td colspan="5"></td></tr>
        <tr><th scope="row">${t('closing')}</th>${amount(statement.closingBalance, cur, 'statement-closing')}<td colspan="5"></td></tr>
      </tfoot>
    </table>
    ${statement.lateEntryCount ? html`<p class="meta">${t('lateEntries')}: ${statement.lateEntryCount} · ${money(statement.lateEntries, cur)}</p>` : nothing}
    ${statement.auditHead ? html`<p class="meta">${t('chainHead')}: #${statement.auditHead.sequence} <code>${statement.auditHead.hash}</code></p>` : nothing}
    ${next ? html`<button type="button" @click=${loadMore}>${t('more')}</button>` : nothing}`;

  async function loadMore(event) {
    const button = event.target;
    button.disabled = true;
    try {
      const params = new URLSearchParams(statementQuery);
      params.set('after', next);
      const page = await get(`${base}/members/${member}/statement?${params}`);
      lines$.push(...page.postings);
      next = page.next;
      ctx.show(view());
    } catch (error) {
      ctx.show(html`${view()}${problem(error)}`);
    }
  }

  const applyFilters = (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const params = new URLSearchParams([...data.entries()].filter(([, v]) => v));
    location.hash = `#/a/${ctx.alliance}/m/${member}${params.size ? `?${params}` : ''}`;
  };

  // Usage by month: both services added up; fill rate and turnaround as the API computes them per row.
  const months = [...new Set(usage.rows.map((r) => r.month))];
  const sum = (month, field) => usage.rows.filter((r) => r.month === month).reduce((s, r) => s + r[field], 0);
  const fill = (month) => { const f = sum(month, 'requestsFilled'); const u = sum(month, 'requestsUnfilled'); return f + u ? Math.round((f / (f + u)) * 10000) / 100 : null; };
  // Turnaround of loans (request to shipment); copies are counted in the other charts.
  const turnaround = (month, field) => usage.rows.find((r) => r.month === month && r.service === 'loan')?.[field] ?? null;

  const view = () => html`
    ${heading(`${member} ${m?.name ?? ''}`)}
    <div class="grid two">
      ${section(t('balanceNow'), html`
        <p class="figure ${balance.balance < 0 ? 'neg' : ''}" data-testid="balance" data-amount=${balance.balance}>${money(balance.balance, cur)}</p>
        <p class="meta">${t('asOfDate')} ${balance.asOf}${balance.lateEntryCount ? ` · ${t('lateEntries')} ${balance.lateEntryCount}: ${money(balance.lateEntries, cur)}` : ''}</p>`)}
      ${section(t('balanceOverTime'), trend.points.length ? html`<div class="chart" role="img" aria-label=${t('balanceOverTime')}
        ${chart(lines(trend.points.map((p) => p[0]), [{ name: t('balance'), data: trend.points.map((p) => p[1]) }], { step: true }))}></div>`
        : html`<p class="empty">${t('noData')}</p>`)}
    </div>
    ${section(t('unsettled'), unsettled.count === 0 ? html`<p class="empty">${t('unsettledNone')}</p>` : html`
      <p class="meta">${t('sinceLast')}: ${unsettled.lastClosedPeriod ?? '—'} · ${t('count')} ${unsettled.count} · ${t('total')}
        <span data-testid="unsettled-total" data-amount=${unsettled.total}>${money(unsettled.total, cur)}</span></p>
      <table data-testid="unsettled"><thead><tr><th>${t('date')}</th><th class="num">${t('amount')}</th><th>${t('counterAccounts')}</th><th>${t('eventType')}</th>
        <th>${t('recordedBy')}</th><th>${t('recordedAt')}</th><th><span class="sr">${t('details')}</span></th></tr></thead>
        <tbody>${unsettled.lines.map(row)}</tbody></table>`)}
    ${section(t('statement'), html`
      <form class="filters" @submit=${applyFilters} aria-label=${t('filters')}>
        <label>${t('from')} <input type="date" name="from" .value=${filters.from}></label>
        <label>${t('to')} <input type="date" name="to" .value=${filters.to}></label>
        <label>${t('asOfDate')} <input type="date" name="asOf" .value=${filters.asOf}></label>
        <button type="submit">${t('apply')}</button>
      </form>
      ${statementTable()}`)}
    ${section(t('usage'), months.length === 0 ? html`<p class="empty">${t('noData')}</p>` : html`
      <div class="grid three">
        <figure><figcaption>${t('lentBorrowed')}</figcaption><div class="chart" role="img" aria-label=${t('lentBorrowed')}
          ${chart(bars(months, [{ name: t('lent'), data: months.map((x) => sum(x, 'requestsSupplied')) }, { name: t('borrowed'), data: months.map((x) => sum(x, 'requestsFilled')) }]))}></div></figure>
        <figure><figcaption>${t('fillRate')} (%)</figcaption><div class="chart" role="img" aria-label=${t('fillRate')}
          ${chart(lines(months, [{ name: t('fillRate'), data: months.map(fill) }]))}></div></figure>
        <figure><figcaption>${t('turnaround')}</figcaption><div class="chart" role="img" aria-label=${t('turnaround')}
          ${chart(lines(months, [{ name: t('asBorrower'), data: months.map((x) => turnaround(x, 'medianTurnaroundHours')) },
            { name: t('asLender'), data: months.map((x) => turnaround(x, 'medianSupplyTurnaroundHours')) }]))}></div></figure>
      </div>
      <table data-testid="usage"><thead><tr><th>${t('month')}</th><th class="num">${t('lent')}</th><th class="num">${t('borrowed')}</th>
        <th class="num">${t('fillRate')}</th></tr></thead>
        <tbody>${months.map((x) => html`<tr><td>${x}</td><td class="num">${number(sum(x, 'requestsSupplied'))}</td>
          <td class="num">${number(sum(x, 'requestsFilled'))}</td><td class="num">${fill(x) === null ? '—' : percent(fill(x) / 100)}</td></tr>`)}</tbody></table>`)}`;

  return view();
}
