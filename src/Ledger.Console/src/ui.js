// Small view helpers shared by the pages: loading and error states, amount cells, headings that take focus.
import { html, nothing } from 'lit-html';
import { t, money } from './i18n.js';

export const loading = () => html`<p class="loading" role="status" aria-busy="true">${t('loading')}</p>`;

export function problem(error, retry) {
  const forbidden = error?.status === 403 || error?.status === 401;
  return html`<div class="problem" role="alert" data-code=${error?.code ?? 'error'}>
    <strong>${forbidden ? t('notAllowed') : t('error')}</strong>
    <p>${error?.message ?? String(error)}</p>
    ${error?.code ? html`<p class="code">${error.code}</p>` : nothing}
    ${retry ? html`<button type="button" @click=${retry}>${t('retry')}</button>` : nothing}
  </div>`;
}

/** An amount cell: the figure as shown, and the API's exact value in data-amount (what the browser tests compare). */
export const amount = (value, currency, testId) => html`<td class="num ${value < 0 ? 'neg' : ''}" data-amount=${value ?? ''}
  data-testid=${testId ?? nothing}>${money(value, currency)}</td>`;

export const heading = (text) => html`<h1 tabindex="-1" id="main">${text}</h1>`;

/** A section whose content loads on its own (slow reports show their own loading state without holding the page). */
export function section(title, content, extra = nothing) {
  return html`<section><header class="section-head"><h2>${title}</h2>${extra}</header>${content}</section>`;
}
