import type { Config } from '../config-schema.js';

/** Every secret value in a configuration: scrubbed from logs and masked by `config print`. */
export function configSecrets(config: Config): string[] {
  const values = [config.suite.secret, config.suite.token, config.suite.encodingAESKey, config.admin.token];
  for (const app of config.apps) values.push(app.secret, app.token, app.encodingAESKey);
  for (const key of config.gateway?.keys ?? []) values.push(key.key);
  for (const target of config.targets) {
    values.push(target.secret);
    // The chat bots' webhook URLs carry their credential (`key=`, `access_token=`, the path token).
    const url = new URL(target.url);
    for (const name of ['key', 'access_token', 'token']) {
      const v = url.searchParams.get(name);
      if (v) values.push(v);
    }
    if (target.format === 'slack' || target.format === 'feishu') {
      const last = url.pathname.split('/').filter(Boolean).pop();
      if (last && last.length >= 16) values.push(last);
    }
  }
  return values.filter((v): v is string => typeof v === 'string' && v.length >= 6);
}
