// Joint purchases and cost shares: the allocation with its method and inputs, a chart of the shares, reallocations.
import { html, nothing } from 'lit-html';
import { t, money, number } from '../i18n.js';
import { get, alliancePath, download } from '../api.js';
import { amount, heading, section, problem } from '../ui.js';
import { chart, pie } from '../charts.js';

function method(split) {
  if (!split) return '—';
  const parts = [split.method];
  if (split.basePercent !== undefined && split.basePercent !== null) parts.push(`${split.basePercent}% + ${split.restBy}`);
  return parts.join(' · ');
}

export async function sharingPage(ctx) {
  const base = alliancePath(ctx.alliance);
  const [info, purchases, shares] = await Promise.all([ctx.allianceInfo(), get(`${base}/joint-purchases`), get(`${base}/cost-shares`)]);
  const cur = info.currency;
  let failure = null;
  const save = async (purchase, format) => {
    try { await download(`${base}/joint-purchases/${purchase.purchaseId}/allocation?format=${format}`, `${purchase.purchaseId}.${format}`); }
    catch (error) { failure = error; ctx.show(view()); }
  };

  const purchaseView = (p) => html`
    <article class="card" data-testid="purchase" data-id=${p.purchaseId}>
      <h3>${p.resource} <small>${p.purchaseId}</small></h3>
      <p class="meta">${t('vendor')}: ${p.vendor} · ${p.licenceFrom} – ${p.licenceTo} · ${t('status')}: ${p.status} ·
        ${t('listPrice')} ${money(p.listPrice, cur)}${p.invoice ? html` · ${t('invoice')} ${p.invoice.number}: ${money(p.invoice.amount, cur)}` : nothing}</p>
      <p class="meta">${t('method')}: ${method(p.split)} · ${t('inputs')}: ${p.metric}</p>
      <div class="grid two">
        <table>
          <thead><tr><th>${t('participant')}</th><th class="num">${t('fte')}</th><th class="num">${t('usageCount')}</th><th class="num">${t('share')}</th>
            <th class="num">${t('covered')}</th><th class="num">${t('pays')}</th><th class="num">${t('costPerUse')}</th></tr></thead>
          <tbody>${p.participants.map((x) => html`<tr><th scope="row">${x.member}</th><td class="num">${number(x.fte)}</td><td class="num">${number(x.usage)}</td>
            ${amount(x.share, cur)}${amount(x.covered, cur)}${amount(x.pays, cur)}${amount(x.costPerUse, cur)}</tr>`)}</tbody>
        </table>
        ${p.participants.some((x) => x.share) ? html`<div class="chart" role="img" aria-label=${t('sharesChart')}
          ${chart(pie(p.participants.filter((x) => x.share).map((x) => ({ name: x.member, value: x.share }))))}></div>` : nothing}
      </div>
      ${p.withdrawn.length ? html`<p class="meta">${t('withdrawn')}: ${p.withdrawn.join(', ')}</p>` : nothing}
      ${p.status === 'allocated' ? html`<p>
        <button type="button" @click=${() => save(p, 'csv')}>${t('download')} CSV</button>
        <button type="button" @click=${() => save(p, 'xlsx')}>${t('download')} .xlsx</button></p>` : nothing}
    </article>`;

  const shareView = (c) => html`
    <article class="card" data-testid="cost-share" data-id=${c.costShareId}>
      <h3>${c.purpose} <small>${c.costShareId}</small></h3>
      <p class="meta">${money(c.amount, cur)} · ${t('method')}: ${method(c.split)} · ${t('payee')}: ${c.payee} · ${t('status')}: ${c.status}</p>
      <div class="grid two">
        <table><thead><tr><th>${t('participant')}</th><th class="num">${t('share')}</th></tr></thead>
          <tbody>${c.shares.map((x) => html`<tr><th scope="row">${x.member}</th>${amount(x.amount, cur)}</tr>`)}</tbody></table>
        ${c.shares.length ? html`<div class="chart" role="img" aria-label=${t('sharesChart')}
          ${chart(pie(c.shares.map((x) => ({ name: x.member, value: x.amount }))))}></div>` : nothing}
      </div>
      ${c.corrections.length ? html`<p class="meta">${t('corrections')}: ${c.corrections.join('; ')}</p>` : nothing}
    </article>`;

  const view = () => html`
    ${heading(t('sharing'))}
    ${failure ? problem(failure) : nothing}
    ${section(t('purchases'), purchases.length ? purchases.map(purchaseView) : html`<p class="empty">${t('noPurchases')}</p>`)}
    ${section(t('costShares'), shares.length ? shares.map(shareView) : html`<p class="empty">${t('noCostShares')}</p>`)}`;
  return view();
}
