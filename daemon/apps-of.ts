import type { AppConfig } from '../src/apps/app.js';
import type { Config } from './config-schema.js';

/**
 * The apps of a resolved config (SPEC §10). Until `apps:` is parsed into the config this is the `suite:`
 * shorthand only: one `suite` app named by its id, its paths from `receiver:`. (The config work replaces the
 * body with the parsed `config.apps`; every caller already takes `AppConfig`s.)
 */
export function appsOf(config: Pick<Config, 'suite' | 'receiver'>): readonly AppConfig[] {
  const { suite, receiver } = config;
  return [{
    name: suite.id,
    kind: 'suite',
    id: suite.id,
    ...(suite.secret ? { secret: suite.secret } : {}),
    token: suite.token,
    encodingAESKey: suite.encodingAESKey,
    ...(suite.providerCorpId ? { providerCorpId: suite.providerCorpId } : {}),
    dataPath: receiver.dataPath,
    commandPath: receiver.commandPath,
  }];
}
