// The event behind a statement line: what happened, who recorded it and when, and its link in the hash chain.
import { html, nothing } from 'lit-html';
import { t, moment } from '../i18n.js';
import { get, alliancePath } from '../api.js';
import { heading } from '../ui.js';

export async function eventPage(ctx) {
  const [info, e] = await Promise.all([ctx.allianceInfo(), get(`${alliancePath(ctx.alliance)}/events/${encodeURIComponent(ctx.sequence)}`)]);
  const back = ctx.query.get('member') ? `#/a/${ctx.alliance}/m/${ctx.query.get('member')}` : `#/a/${ctx.alliance}`;
  return html`
    ${heading(`${t('event')} #${e.sequence}`)}
    <p><a href=${back}>← ${t('backTo')}</a></p>
    <dl class="facts" data-testid="event">
      <dt>${t('eventType')}</dt><dd data-testid="event-type">${e.eventType}</dd>
      <dt>${t('sequence')}</dt><dd>${e.sequence}</dd>
      <dt>${t('id')}</dt><dd><code>${e.eventId}</code></dd>
      <dt>${t('stream')}</dt><dd>${e.stream} · ${t('version')} ${e.streamVersion}</dd>
      <dt>${t('recordedBy')}</dt><dd data-testid="event-recorded-by">${e.recordedBy ?? '—'} · ${e.recordedByRole ?? '—'}</dd>
      <dt>${t('recordedAt')}</dt><dd>${moment(e.recordedAt, info.timeZone)}</dd>
      <dt>${t('chainLink')}</dt><dd data-testid="event-chain">${e.chain ? html`#${e.chain.sequence} <code>${e.chain.hash}</code>` : '—'}</dd>
    </dl>
    <h2>${t('data')}</h2>
    <pre class="json">${JSON.stringify(e.data, null, 2)}</pre>
    ${nothing}`;
}
