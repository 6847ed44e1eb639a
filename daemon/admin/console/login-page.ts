import { html } from './html.js';
import type { PageResult } from './page-result.js';

/** `/login`: one password field for `admin.token`; a failed attempt says so. */
export function loginPage(failed: boolean, next: string): PageResult {
  return {
    status: failed ? 401 : 200,
    title: 'Log in',
    ...(failed ? { notice: { text: 'That is not the admin token.', error: true } } : {}),
    body: html`<div class="card login"><h1>Log in</h1><form method="post" action="/login">
  <label for="token">Admin token (<code>admin.token</code>)</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Log in</button></form></div>`,
  };
}
