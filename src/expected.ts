/** How a rejected value is shown in a validation message: strings truncated, objects by kind only. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `\`${value.length > 40 ? value.slice(0, 40) + '…' : value}\` (string)`;
  if (typeof value === 'object' || typeof value === 'function') return typeof value;
  return `\`${String(value)}\` (${typeof value})`;
}

/**
 * The one shape of an option/argument validation error (p-queue/got style):
 * ``Expected `name` to be what, got `value` (type)``.
 */
export function expected(name: string, what: string, got: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${what}, got ${describe(got)}`);
}
