import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CommandExit, EXIT, writeLine, type CommandContext } from './command-context.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters drawn uniformly from `alphabet` with the CSPRNG. */
function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/**
 * A fresh callback Token (32 letters and digits, WeCom's maximum) and EncodingAESKey (43 characters of
 * the base64 alphabet; letters and digits only, as the console's own 随机获取 gives).
 */
export function generateCallbackSecrets(): { token: string; encodingAESKey: string } {
  return { token: randomString(ALPHANUMERIC, 32), encodingAESKey: randomString(ALPHANUMERIC, 43) };
}

/** The commented starter configuration `init` writes. */
export function starterConfig(options: { suiteId: string; token: string; encodingAESKey: string }): string {
  return `# wecom-relay configuration, written by \`wecom-relay init\`. Every key: docs/configuration.md.
# This file holds the callback Token and EncodingAESKey: keep it private (mode 0600), never commit it.

suite:
  id: ${options.suiteId}                 # SuiteID (服务商后台 → 应用管理 → 通用开发参数)
  secret: \${WECOM_SUITE_SECRET}          # the suite's Secret, from the environment
  # Paste these two into the console's 回调配置 for both callback URLs:
  token: ${options.token}
  encodingAESKey: ${options.encodingAESKey}   # 43 characters
  # providerCorpId: wwxxxxxxxxxxxxxxxx   # your provider corp id: the receiveid of URL-verification GETs

receiver:
  host: 0.0.0.0
  port: 8080
  dataPath: /api/v1/wecom/callback       # 数据回调URL
  commandPath: /api/v1/wecom/command     # 指令回调URL

store: sqlite:./data/wecom-relay.db      # or redis://127.0.0.1:6379/0 for several daemons

admin:
  host: 127.0.0.1
  port: 9464                             # /healthz, /readyz, /metrics

# Where events go. Without targets they are stored and processed, but forwarded nowhere.
targets: []
#  - name: crm
#    url: https://crm.example.com/hooks/wecom
#    format: json                        # json | slack | wecom-bot | feishu | dingtalk
#    secret: \${CRM_WEBHOOK_SECRET}       # whsec_…: Standard Webhooks signature
#    events: ["external_contact.*"]
`;
}

/** `wecom-relay init [--config F]`: a commented starter configuration with a fresh Token and EncodingAESKey. */
export function registerInitCommand(program: Command, context: CommandContext): void {
  program
    .command('init')
    .description('write a commented starter configuration with a fresh callback Token and EncodingAESKey (mode 0600; never overwrites)')
    .option('-c, --config <file>', 'the file to write', 'wecom-relay.config.yaml')
    .option('--suite-id <id>', 'the SuiteID to put in it', 'ww917724cb573d8629')
    .action((opts: { config: string; suiteId: string }) => {
      const file = resolve(context.cwd, opts.config);
      const secrets = generateCallbackSecrets();
      try {
        // 'wx': fail if it exists, so a configuration (and the key WeCom already has) is never replaced.
        writeFileSync(file, starterConfig({ suiteId: opts.suiteId, ...secrets }), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CommandExit(EXIT.failure, `wecom-relay: ${file} already exists; not overwriting it (remove it, or pass --config another.yaml)`);
        throw new CommandExit(EXIT.failure, `wecom-relay: cannot write ${file}: ${(error as Error).message}`);
      }
      writeLine(context.stdout, `wrote ${file} (mode 0600) with a fresh Token and EncodingAESKey.`);
      writeLine(context.stdout, 'Next: paste suite.token and suite.encodingAESKey into 回调配置 in the WeCom console,');
      writeLine(context.stdout, `export WECOM_SUITE_SECRET=…, then: wecom-relay doctor --config ${opts.config}`);
    });
}
