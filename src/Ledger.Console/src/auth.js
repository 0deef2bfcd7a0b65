// Sign-in: a pasted bearer token (local demo and operators), or OpenID Connect with PKCE through oidc-client-ts when
// the API is configured with an authority and the console's client id (/console/config.json says which).
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

const TOKEN_KEY = 'ledger.token';
let manager = null;

export async function loadConfig() {
  const response = await fetch('/console/config.json', { headers: { Accept: 'application/json' } });
  const config = response.ok ? await response.json() : { tokenPaste: true, oidc: null };
  if (config.oidc) {
    manager = new UserManager({
      authority: config.oidc.authority,
      client_id: config.oidc.clientId,
      redirect_uri: `${location.origin}/console/`,
      post_logout_redirect_uri: `${location.origin}/console/`,
      response_type: 'code',
      scope: config.oidc.scope,
      userStore: new WebStorageStateStore({ store: sessionStorage }),
    });
  }
  return config;
}

/** Completes an OpenID Connect sign-in when the identity provider has sent the browser back with a code. */
export async function completeRedirect() {
  const query = new URLSearchParams(location.search);
  if (!manager || !query.has('code') || !query.has('state')) return;
  const user = await manager.signinRedirectCallback();
  sessionStorage.setItem(TOKEN_KEY, user.access_token);
  history.replaceState(null, '', '/console/');
}

export const signInWithProvider = () => manager.signinRedirect();

export function signInWithToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token.trim().replace(/^Bearer\s+/i, ''));
}

export const token = () => sessionStorage.getItem(TOKEN_KEY);

export async function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  if (manager && (await manager.getUser())) {
    await manager.removeUser();
  }
}
