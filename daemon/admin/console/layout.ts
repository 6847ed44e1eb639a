import { html, type HtmlValue, type SafeHtml } from './html.js';

/** The pages of the navigation bar, in order. */
const NAV: ReadonlyArray<readonly [string, string]> = [
  ['/', 'Overview'], ['/events', 'Events'], ['/dead', 'Dead letters'], ['/targets', 'Targets'], ['/corps', 'Corps'],
];

/** What a page puts in the shell. */
export interface PageParts {
  readonly title: string;
  /** The nav entry to mark current (`/events` …); none for the login page. */
  readonly current?: string;
  readonly body: HtmlValue;
  /** A notice shown above the body (fixed text chosen by the code, or escaped). */
  readonly notice?: { readonly text: string; readonly error?: boolean } | undefined;
  /** Reload every n seconds (a replay's progress), with a meta refresh: no script. */
  readonly refreshSeconds?: number;
  /** Show the log-out button (a session exists). */
  readonly loggedIn?: boolean;
}

/** The HTML document around a page: nav, notice, stylesheet. */
export function layout(parts: PageParts): SafeHtml {
  const nav = parts.current === undefined ? '' : NAV.map(([href, label]) =>
    html`<a href="${href}"${parts.current === href ? html` aria-current="page"` : ''}>${label}</a>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${parts.refreshSeconds ? html`<meta http-equiv="refresh" content="${parts.refreshSeconds}">` : ''}
<title>${parts.title} · wecom-relay</title><link rel="stylesheet" href="/console.css"><link rel="icon" href="data:,"></head>
<body><header><span class="brand">wecom-relay</span><nav>${nav}</nav>${parts.loggedIn ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ''}</header>
<main>${parts.notice ? html`<div class="notice${parts.notice.error ? ' error' : ''}" role="status">${parts.notice.text}</div>` : ''}
${parts.body}</main></body></html>`;
}

/** A state as a coloured badge. */
export function badge(state: string): SafeHtml {
  return html`<span class="badge ${state}">${state}</span>`;
}
