import { html, nothing } from 'lit-html';
import { t, toggleLocale } from '../i18n.js';
import { signInWithToken, signInWithProvider } from '../auth.js';

export function signInPage(config, done) {
  const submit = (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get('token');
    if (!value || !String(value).trim()) return;
    signInWithToken(String(value));
    done();
  };
  return html`
    <main class="signin">
      <h1 id="main" tabindex="-1">${t('appName')}</h1>
      <button type="button" class="link" @click=${() => { toggleLocale(); done(); }}>${t('language')}</button>
      ${config?.oidc ? html`<p><button type="button" class="primary" @click=${() => signInWithProvider()}>${t('oidcSignIn')}</button></p>` : nothing}
      ${config?.tokenPaste !== false ? html`
        <form @submit=${submit}>
          <label for="token">${t('pasteToken')}</label>
          <textarea id="token" name="token" rows="5" autocomplete="off" spellcheck="false" required></textarea>
          <p class="hint">${t('tokenHelp')}</p>
          <button type="submit" class="primary">${t('tokenSignIn')}</button>
        </form>` : nothing}
    </main>`;
}
