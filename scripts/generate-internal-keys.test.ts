import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  createInternalTokenSigner,
  createPlatformVerifier,
  ISSUERS,
} from '../lib/auth/internal-token.js';
import { parseConfig, requiredPem } from '../lib/config.js';
import { orgAdmin } from '../test/support/identities.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** An env file read as `kubectl --from-env-file` and Docker Compose read an unquoted one. */
const readEnvFile = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe('npm run -s keys > .env.keys', () => {
  it('writes only the two env lines, which the services read back as a working key pair', async () => {
    const file = execFileSync('npm', ['run', '-s', 'keys'], { cwd: ROOT, encoding: 'utf8' });
    const lines = file.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^MODELGRAPH_INTERNAL_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----\\n\S/),
      expect.stringMatching(/^MODELGRAPH_INTERNAL_PUBLIC_KEY=-----BEGIN PUBLIC KEY-----\\n\S/),
    ]);

    const env = parseConfig(
      z.object({
        MODELGRAPH_INTERNAL_PRIVATE_KEY: requiredPem('PRIVATE KEY', 'signing'),
        MODELGRAPH_INTERNAL_PUBLIC_KEY: requiredPem('PUBLIC KEY', 'verifying'),
      }),
      readEnvFile(file),
    );
    const signer = await createInternalTokenSigner({
      privateKeyPem: env.MODELGRAPH_INTERNAL_PRIVATE_KEY,
      issuer: ISSUERS.gateway,
    });
    const verifier = await createPlatformVerifier(env.MODELGRAPH_INTERNAL_PUBLIC_KEY);
    const claims = await verifier.verify(await signer.sign(orgAdmin(), 'keys-test'));
    expect(claims.principal.id).toBe(orgAdmin().id);
  });

  it('is how every instruction writes the file (plain `npm run keys >` adds npm’s banner)', () => {
    for (const doc of ['README.md', 'deploy/docker-compose.yml', 'deploy/k8s/README.md']) {
      const text = readFileSync(new URL(`../${doc}`, import.meta.url), 'utf8');
      expect({ doc, redirected: /npm run keys\s*>/.test(text) }).toEqual({
        doc,
        redirected: false,
      });
    }
  });
});
