/**
 * The kinds of WeCom app one deployment serves (SPEC §10).
 *
 * - `suite` — a third-party app (第三方应用): suite_ticket → `service/get_suite_token`; AuthCode →
 *   `service/get_permanent_code`; corp token from `service/get_corp_token`.
 * - `customized` — a customized-app template (代开发应用模板): the same ticket, suite token and permanent code,
 *   but the permanent code is the installed app's secret and the corp token comes from
 *   `gettoken?corpid=<auth corp>&corpsecret=<permanent code>` (doc 97164).
 * - `contact_edit` — the contact-edit authorization (通讯录编辑授权, doc 96078): suite-like credentials on its
 *   own command URL only (no data URL); its callbacks carry ids only and it may call only the ID, ID-conversion
 *   and member/department management APIs.
 */
export type AppKind = 'suite' | 'customized' | 'contact_edit';

/** Every {@link AppKind}, in the order documented. */
export const APP_KINDS: readonly AppKind[] = ['suite', 'customized', 'contact_edit'];

/**
 * One WeCom app of the deployment, resolved (defaults applied). `suite:` in the config is the one-app
 * shorthand: `{ kind: 'suite', name: id, … }` with the paths from `receiver:`. (The daemon's config adds the app's `install:` section.)
 */
export interface AppConfig {
  /** Label in the CLI, logs, metrics and gateway URLs; unique. Default: the id. */
  readonly name: string;
  readonly kind: AppKind;
  /** The SuiteID (for `customized`: the template's id, `dk…`); unique. Keys every credential with the corp id. */
  readonly id: string;
  /** Suite (template) secret; absent = the relay does not manage this app's credentials. Never logged. */
  readonly secret?: string | undefined;
  readonly token: string;
  readonly encodingAESKey: string;
  /** Receiveid of URL-verification GETs (the provider's corp id), when set. */
  readonly providerCorpId?: string | undefined;
  /** The data callback path; `null` for `contact_edit`, which has none. */
  readonly dataPath: string | null;
  readonly commandPath: string;
}
