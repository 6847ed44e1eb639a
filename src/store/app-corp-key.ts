/**
 * The key of every per-(app, corp) record in the store's keyed state (`corp`, `corp_token`):
 * `<appId>:<corpId>` (SPEC §10). One corp that installs two apps has two records, two permanent codes and
 * two token sets; `cancel_auth` on one app leaves the other's untouched. WeCom suite ids and corp ids never
 * contain `:`, so the split is unambiguous; a key without `:` is the one-suite release's form (corp id
 * alone), which `migrateAppKeys` rewrites at start-up.
 */
export function appCorpKey(appId: string, corpId: string): string {
  return `${appId}:${corpId}`;
}

/** An {@link appCorpKey} split into its parts, or undefined for a key of the old form (no `:`). */
export function parseAppCorpKey(key: string): { readonly appId: string; readonly corpId: string } | undefined {
  const at = key.indexOf(':');
  if (at <= 0 || at === key.length - 1) return undefined;
  return { appId: key.slice(0, at), corpId: key.slice(at + 1) };
}
