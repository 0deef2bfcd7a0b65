// Every figure on screen comes from the API with the signed-in user's token; the server decides what it may see.
import { token } from './auth.js';

/** An RFC 9457 problem the API answered (status, stable code, detail). */
export class Problem extends Error {
  constructor(status, body) {
    super(body?.detail || body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || `http_${status}`;
    this.title = body?.title;
  }
}

async function send(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  const current = token();
  if (current) headers.Authorization = `Bearer ${current}`;
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { /* not JSON */ }
    throw new Problem(response.status, body);
  }
  return response;
}

export async function get(path) {
  return (await send(path)).json();
}

/** A GET that also returns the ETag (the stream version), for an If-Match on the command that follows. */
export async function getWithVersion(path) {
  const response = await send(path);
  return { body: await response.json(), etag: response.headers.get('ETag') };
}

export async function post(path, body, etag) {
  const headers = { 'Content-Type': 'application/json' };
  if (etag) headers['If-Match'] = etag;
  return (await send(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}) })).json();
}

/** Downloads an export (CSV or .xlsx) with the token, then saves it under the name the API gives. */
export async function download(path, fallbackName) {
  const response = await send(path, { headers: { Accept: '*/*' } });
  const disposition = response.headers.get('Content-Disposition') || '';
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = decodeURIComponent(name);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const alliancePath = (alliance) => `/api/alliances/${encodeURIComponent(alliance)}`;
