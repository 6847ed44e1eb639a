/**
 * HTML templating for the console: a tagged template literal that escapes every interpolated value, so a
 * page can only contain markup its author wrote. Values are escaped unless they are {@link SafeHtml}
 * (the result of another `html` template, or of {@link raw}); arrays are joined; `null`, `undefined` and
 * `false` render as nothing.
 *
 * Why this and not a library: the console renders a dozen small pages; a 40-line tag with one escaping
 * rule is easier to audit than a template engine's configuration, needs no build step and no dependency.
 */

/** Markup that is safe to emit as it is. Only {@link html} and {@link raw} make one. */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The markup. */
  toString(): string {
    return this.#value;
  }
}

/** A value a template may interpolate. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tag: `html\`<td>${name}</td>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * Markup taken as it is, unescaped: only for text the code itself produced (an SVG path built from
 * numbers), never for a stored value.
 */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
