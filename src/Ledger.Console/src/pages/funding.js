// Funding (auditor, finance officer): per project and sub-project the budget, allocations, spending and execution rate
// as bars, drill-down to the expenditures and the events behind every movement, and the hash chain's verification.
import { html, nothing } from 'lit-html';
import { t, money, number, percent, moment } from '../i18n.js';
import { get, alliancePath } from '../api.js';
import { amount, heading, section, problem, loading } from '../ui.js';
import { chart, bars } from '../charts.js';

export async function fundingPage(ctx) {
  const me = ctx.me;
  const info = await ctx.allianceInfo();
  const cur = info.currency;
  const reportPath = me.role === 'auditor'
    ? `/api/departments/${encodeURIComponent(me.department)}/funding-report`
    : `${alliancePath(ctx.alliance)}/funding-report`;
  const [report, digest, checks] = await Promise.all([get(reportPath), get('/api/audit/digest'), get('/api/audit/status')]);
  const subs = report.projects.flatMap((p) => p.subProjects);
  const selected = ctx.query.get('sub');
  const chosen = subs.find((s) => s.subProject === selected);
  let drill = null;
  if (chosen) {
    const base = alliancePath(chosen.alliance);
    const [sub, entries] = await Promise.all([get(`${base}/subprojects/${chosen.subProject}`), get(`${base}/subprojects/${chosen.subProject}/entries?limit=200`)]);
    drill = { sub, entries, alliance: chosen.alliance };
  }
  let verification = { kind: 'idle' };

  async function verify() {
    verification = { kind: 'running' };
    ctx.show(view());
    try { verification = { kind: 'done', result: await get('/api/audit/verification') }; } catch (error) { verification = { kind: 'failed', error }; }
    ctx.show(view());
  }

  const rate = (r) => (r === null || r === undefined ? '—' : percent(r));
  const subLink = (s) => html`<a href="#/a/${ctx.alliance}/funding?sub=${encodeURIComponent(s.subProject)}">${s.subProject}</a>`;

  const view = () => html`
    ${heading(t('fundingReport'))}
    <p class="meta">${report.department} · ${t('asOfDate')} ${report.asOf}</p>
    ${section(t('total'), html`<dl class="facts totals" data-testid="funding-totals">
      <dt>${t('budget')}</dt><dd data-amount=${report.totals.budget}>${money(report.totals.budget, cur)}</dd>
      <dt>${t('allocated')}</dt><dd data-amount=${report.totals.allocated}>${money(report.totals.allocated, cur)}</dd>
      <dt>${t('spent')}</dt><dd data-amount=${report.totals.spent} data-testid="funding-spent">${money(report.totals.spent, cur)}</dd>
      <dt>${t('remaining')}</dt><dd data-amount=${report.totals.remaining}>${money(report.totals.remaining, cur)}</dd>
      <dt>${t('executionRate')}</dt><dd>${rate(report.totals.executionRate)}</dd>
      <dt>${t('subsidisedRequests')}</dt><dd>${number(report.totals.subsidisedRequests)}</dd>
      <dt>${t('subsidisedPages')}</dt><dd>${number(report.totals.subsidisedPages)}</dd>
      <dt>${t('rewardsPaid')}</dt><dd>${money(report.totals.rewardsPaid, cur)}</dd></dl>`)}
    ${report.projects.map((p) => section(`${t('project')} ${p.project} · ${p.name}`, html`
      <div class="chart tall" role="img" aria-label="${t('executionRate')} ${p.project}"
        ${chart(bars(p.subProjects.map((s) => s.subProject), [
          { name: t('budget'), data: p.subProjects.map((s) => s.budget) },
          { name: t('allocated'), data: p.subProjects.map((s) => s.allocated + s.movedIn - s.movedOut - s.returned) },
          { name: t('spent'), data: p.subProjects.map((s) => s.spent) }]))}></div>
      <table data-testid="project-${p.project}">
        <thead><tr><th>${t('subProject')}</th><th>${t('title')}</th><th>${t('undertaking')}</th><th class="num">${t('budget')}</th>
          <th class="num">${t('allocated')}</th><th class="num">${t('spent')}</th><th class="num">${t('remaining')}</th><th class="num">${t('executionRate')}</th></tr></thead>
        <tbody>${p.subProjects.map((s) => html`<tr data-sub=${s.subProject}><th scope="row">${subLink(s)}</th><td>${s.title}</td><td>${s.undertakingMember}</td>
          ${amount(s.budget, cur)}${amount(s.allocated, cur)}${amount(s.spent, cur)}${amount(s.remaining, cur)}
          <td class="num"><meter min="0" max="1" value=${s.executionRate ?? 0}></meter> ${rate(s.executionRate)}</td></tr>`)}</tbody>
        <tfoot><tr><th scope="row" colspan="3">${t('total')}</th>${amount(p.budget, cur)}${amount(p.allocated, cur)}${amount(p.spent, cur)}
          ${amount(p.remaining, cur)}<td class="num">${rate(p.executionRate)}</td></tr></tfoot>
      </table>`))}
    ${drill ? section(`${t('subProject')} ${drill.sub.code} · ${drill.sub.title}`, html`
      <h3>${t('expenditures')}</h3>
      <table data-testid="expenditures"><thead><tr><th>${t('id')}</th><th>${t('line')}</th><th class="num">${t('amount')}</th><th>${t('date')}</th>
        <th>Voucher</th><th>${t('purpose')}</th></tr></thead>
        <tbody>${drill.sub.expenditures.map((e) => html`<tr class=${e.reversedBecause ? 'reversed' : ''}><td>${e.expenditureId}</td><td>${e.line}</td>${amount(e.amount, cur)}
          <td>${e.spentOn}</td><td>${e.voucher}</td><td>${e.description}${e.reversedBecause ? html` <em>(${e.reversedBecause})</em>` : nothing}</td></tr>`)}</tbody></table>
      <h3>${t('entries')}</h3>
      <table data-testid="entries"><thead><tr><th>${t('date')}</th><th>${t('kind')}</th><th>${t('line')}</th><th class="num">${t('amount')}</th>
        <th>${t('eventType')}</th><th>${t('recordedAt')}</th><th></th></tr></thead>
        <tbody>${drill.entries.entries.map((e) => html`<tr><td>${e.businessDate}</td><td>${e.kind}</td><td>${e.line ?? '—'}</td>${amount(e.amount, cur)}
          <td>${e.eventType}</td><td>${moment(e.recordedAt, info.timeZone)}</td>
          <td><a class="button" href="#/a/${drill.alliance}/events/${e.sequence}">${t('details')}</a></td></tr>`)}</tbody></table>`) : nothing}
    ${report.coveredLicences.length ? section(t('coveredLicences'), html`<table>
      <thead><tr><th>${t('resource')}</th><th>${t('subProject')}</th><th class="num">${t('covered')}</th><th class="num">${t('usageCount')}</th><th class="num">${t('costPerUse')}</th></tr></thead>
      <tbody>${report.coveredLicences.map((l) => html`<tr><td>${l.resource} (${l.purchaseId})</td><td>${l.subProject}</td>${amount(l.covered, cur)}
        <td class="num">${number(l.usage)}</td>${amount(l.coverPerUse, cur)}</tr>`)}</tbody></table>`) : nothing}
    ${section(t('verification'), html`
      <p class="meta" data-testid="chain-head">${t('head')}: #${digest.sequence} <code>${digest.hash}</code></p>
      ${checks.map((c) => html`<p class=${c.intact ? 'ok' : 'bad'} data-testid="self-check" data-database=${c.database}>
        ${t('selfCheck')} (${c.database}): ${c.intact ? t('intact') : `${t('broken')}: #${c.firstMismatchSequence} ${c.problem ?? ''}`}
        · ${t('checkedUpTo')} <span data-testid="self-check-sequence">${c.verifiedUpTo}</span> · ${moment(c.checkedAt, info.timeZone)}
        ${c.lastFullPassAt ? html` · ${t('fullPass')} ${moment(c.lastFullPassAt, info.timeZone)}` : nothing}</p>`)}
      ${verification.kind === 'running' ? loading() : nothing}
      ${verification.kind === 'failed' ? problem(verification.error) : nothing}
      ${verification.kind === 'done' ? html`<p class=${verification.result.intact ? 'ok' : 'bad'} data-testid="verification">
        ${verification.result.intact ? t('intact') : `${t('broken')}: #${verification.result.firstMismatchSequence} ${verification.result.problem ?? ''}`}
        · ${t('checkedUpTo')} ${verification.result.checkedUpTo} (${number(verification.result.events)})</p>` : nothing}
      <button type="button" data-testid="verify" @click=${verify} ?disabled=${verification.kind === 'running'}>${t('verifyNow')}</button>`)}`;
  return view();
}
