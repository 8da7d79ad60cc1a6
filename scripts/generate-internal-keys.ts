import { generateInternalKeyPair } from '../lib/auth/internal-token.js';

// `npm run -s keys > .env.keys`: a fresh ES256 pair for the internal token, as one-line env lines
// (`-s` keeps npm's own banner out of the file). The gateway gets the private key; every subgraph
// gets the public key. Values are unquoted, newlines written `\n` (every config loader reads them
// back), so the one file serves both `docker compose --env-file` and `kubectl create secret
// generic --from-env-file`, which takes quotes as part of the value.
const { privateKeyPem, publicKeyPem } = await generateInternalKeyPair();
const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
process.stdout.write(
  `MODELGRAPH_INTERNAL_PRIVATE_KEY=${oneLine(privateKeyPem)}\n` +
    `MODELGRAPH_INTERNAL_PUBLIC_KEY=${oneLine(publicKeyPem)}\n`,
);
