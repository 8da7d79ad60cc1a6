import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import OpenAI from 'openai';
import { expectNoErrors } from '../../support/graphql-client.js';
import { openAiClient, startOpenAiStack, type OpenAiStack } from '../../support/openai-sdk.js';
import { TEST_ADMIN_KEY } from '../../support/stack.js';
import { STORE_MODES } from '../../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../../support/timeouts.js';
import { typed } from '../../support/typed-document.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'modelgraph';
const KID = 'idp-key-1';
const ADD_MEMBER = typed<{ addTeamMember: unknown }>(
  `mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { userId } }`,
);

/** /v1 takes an OIDC token as its bearer key, through the same authenticate as /graphql. */
describe.each(STORE_MODES)('/v1 with OIDC tokens (%s stores)', (mode) => {
  let s: OpenAiStack;
  let dir: string;
  let signingKey: CryptoKey;
  const token = (sub: string, expiresIn: string | number = '5m') =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .setSubject(sub)
      .sign(signingKey);

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    signingKey = privateKey;
    dir = await mkdtemp(join(tmpdir(), 'modelgraph-v1-oidc-'));
    const jwksFile = join(dir, 'jwks.json');
    const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    s = await startOpenAiStack(mode, 'OIDC SDK users', {
      gateway: {
        oidc: {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwksFile,
          jwksUrl: undefined,
          algorithms: ['RS256'],
          rolesClaim: 'roles',
          adminRole: 'modelgraph-admin',
        },
      },
    });
    expectNoErrors(
      await s.stack.request(ADD_MEMBER, {
        token: TEST_ADMIN_KEY,
        variables: { input: { teamId: s.team.teamId, userId: 'carol', role: 'MEMBER' } },
      }),
    );
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a team member signed in with OIDC calls chat and lists models', async () => {
    const client = openAiClient(s.stack.gatewayBase, await token('carol'));
    const completion = await client.chat.completions.create({
      model: s.chat.modelId,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain(s.chat.modelId);
  });

  it('an expired token is a 401', async () => {
    const client = openAiClient(s.stack.gatewayBase, await token('carol', 0));
    const refused = await client.models.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
