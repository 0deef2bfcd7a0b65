// Settlement periods: the list; closing the first open one after a preview of its netting (finance officer); what
// each close issued, with the settlement and statements as CSV or .xlsx.
import { html, nothing } from 'lit-html';
import { t, moment } from '../i18n.js';
import { get, post, alliancePath, download } from '../api.js';
import { amount, heading, section, problem, loading } from '../ui.js';

const settlementView = (s, cur, ctx, statementLinks) => html`
  <div class="grid two">
    <table data-testid="positions"><caption>${t('positions')}</caption>
      <thead><tr><th>${t('account')}</th><th class="num">${t('opening')}</th><th class="num">${t('movement')}</th><th class="num">${t('closing')}</th></tr></thead>
      <tbody>${s.accounts.map((a) => html`<tr><th scope="row">${a.account}</th>${amount(a.opening, cur)}${amount(a.movement, cur)}${amount(a.closing, cur)}</tr>`)}</tbody>
    </table>
    <table data-testid="bilateral"><caption>${t('bilateral')}</caption>
      <thead><tr><th>${t('from')}</th><th>${t('to')}</th><th class="num">${t('amount')}</th></tr></thead>
      <tbody>${s.bilateral.map((f) => html`<tr><td>${f.from}</td><td>${f.to}</td>${amount(f.amount, cur)}</tr>`)}</tbody>
    </table>
  </div>
  <table data-testid="statements"><caption>${t('statements')}</caption>
    <thead><tr><th>${t('member')}</th><th class="num">${t('opening')}</th><th class="num">${t('movement')}</th><th class="num">${t('closing')}</th>
      <th class="num">${t('toPay')}</th><th class="num">${t('toReceive')}</th><th class="num">${t('lines')}</th><th>${t('download')}</th></tr></thead>
    <tbody>${s.statements.map((x) => html`<tr data-member=${x.member}><th scope="row">${x.member}</th>${amount(x.openingBalance, cur)}${amount(x.movement, cur)}
      ${amount(x.closingBalance, cur)}${amount(x.toPay, cur)}${amount(x.toReceive, cur)}<td class="num">${x.lines}</td>
      <td>${statementLinks ? statementLinks(x.member) : nothing}</td></tr>`)}</tbody>
  </table>`;

export async function periodsPage(ctx) {
  const base = alliancePath(ctx.alliance);
  const [info, periods] = await Promise.all([ctx.allianceInfo(), get(`${base}/periods`)]);
  const cur = info.currency;
  const role = ctx.me.role;
  const selected = ctx.query.get('p') || (role !== 'member' ? periods.closed.at(-1)?.period : null);
  let settlement = null;
  let stage = { kind: 'idle' };

  const save = async (path, name) => {
    try { await download(path, name); } catch (error) { stage = { kind: 'failed', error }; ctx.show(view()); }
  };
  const statementLinks = (period) => (member) => html`
    <button type="button" data-testid="download-${period}-${member}-csv" @click=${() => save(`${base}/periods/${period}/statements/${member}?format=csv`, `${member}-${period}.csv`)}>CSV</button>
    <button type="button" data-testid="download-${period}-${member}-xlsx" @click=${() => save(`${base}/periods/${period}/statements/${member}?format=xlsx`, `${member}-${period}.xlsx`)}>.xlsx</button>`;

  async function preview() {
    stage = { kind: 'previewing' };
    ctx.show(view());
    try {
      stage = { kind: 'preview', netting: await get(`${base}/periods/${periods.firstOpen.period}/preview`) };
    } catch (error) {
      stage = { kind: 'failed', error };
    }
    ctx.show(view());
    document.querySelector('[data-testid="confirm-close"]')?.focus();
  }

  async function confirmClose() {
    stage = { kind: 'closing' };
    ctx.show(view());
    try {
      // If-Match: the close applies only to the periods as shown (someone else closing first gets a 412, not a second close).
      const closed = await post(`${base}/periods/${periods.firstOpen.period}/close`, {}, `"${periods.version}"`);
      location.hash = `#/a/${ctx.alliance}/periods?p=${closed.period}&closed=1`;
    } catch (error) {
      stage = { kind: 'failed', error };
      ctx.show(view());
    }
  }

  if (selected && role !== 'member') {
    try { settlement = await get(`${base}/periods/${selected}/settlement`); } catch (error) { stage = { kind: 'failed', error }; }
  }

  const view = () => html`
    ${heading(t('periods'))}
    ${ctx.query.get('closed') ? html`<p class="ok" role="status" data-testid="closed-ok">${t('closedOk')}: ${selected}</p>` : nothing}
    ${section(t('periodList'), html`
      <table data-testid="period-list">
        <thead><tr><th>${t('period')}</th><th>${t('from')}</th><th>${t('to')}</th><th>${t('state')}</th><th>${t('closedAt')}</th><th></th></tr></thead>
        <tbody>
          <tr><td>${periods.firstOpen.period}</td><td>${periods.firstOpen.from}</td><td>${periods.firstOpen.to}</td><td>${t('open')}</td><td>—</td>
            <td>${role === 'finance-officer' ? html`<button type="button" class="primary" data-testid="close-period" @click=${preview}
              ?disabled=${stage.kind === 'previewing' || stage.kind === 'closing'}>${t('closePeriod')} ${periods.firstOpen.period}</button>` : nothing}</td></tr>
          ${[...periods.closed].reverse().map((p) => html`<tr data-period=${p.period} aria-current=${p.period === selected ? 'true' : 'false'}>
            <td>${p.period}</td><td>${p.from}</td><td>${p.to}</td><td>${t('closed')}</td><td>${moment(p.closedAt, info.timeZone)}</td>
            <td>${role === 'member'
              ? statementLinks(p.period)(ctx.me.member)
              : html`<a class="button" href="#/a/${ctx.alliance}/periods?p=${p.period}">${t('view')}</a>`}</td></tr>`)}
        </tbody>
      </table>`)}
    ${stage.kind === 'previewing' || stage.kind === 'closing' ? loading() : nothing}
    ${stage.kind === 'failed' ? problem(stage.error) : nothing}
    ${stage.kind === 'preview' ? html`<section class="confirm" role="dialog" aria-labelledby="preview-title" data-testid="close-preview">
        <h2 id="preview-title">${t('previewTitle')}: ${stage.netting.period} (${stage.netting.from} – ${stage.netting.to})</h2>
        ${settlementView(stage.netting, cur, ctx)}
        <p><button type="button" class="primary" data-testid="confirm-close" @click=${confirmClose}>${t('confirmClose')} ${stage.netting.period}</button>
          <button type="button" @click=${() => { stage = { kind: 'idle' }; ctx.show(view()); }}>${t('cancel')}</button></p>
      </section>` : nothing}
    ${settlement ? section(`${t('settlement')} ${settlement.period}`, html`
      <p class="meta">${settlement.from} – ${settlement.to} · ${t('closedAt')} ${moment(settlement.closedAt, info.timeZone)} · ${t('sequence')} ≤ ${settlement.highWaterSequence}
        · <button type="button" @click=${() => save(`${base}/periods/${settlement.period}/settlement?format=csv`, `settlement-${settlement.period}.csv`)}>${t('download')} CSV</button>
        <button type="button" @click=${() => save(`${base}/periods/${settlement.period}/settlement?format=xlsx`, `settlement-${settlement.period}.xlsx`)}>${t('download')} .xlsx</button></p>
      ${settlementView(settlement, cur, ctx, statementLinks(settlement.period))}`) : nothing}
`;
  return view();
}
