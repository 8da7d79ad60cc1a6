import { generateInternalKeyPair } from '../lib/auth/internal-token.js';

// `npm run keys`: a fresh ES256 pair for the internal token, as one-line env values. The gateway
// gets the private key; every subgraph gets the public key.
const { privateKeyPem, publicKeyPem } = await generateInternalKeyPair();
const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
console.log(`MODELGRAPH_INTERNAL_PRIVATE_KEY="${oneLine(privateKeyPem)}"`);
console.log(`MODELGRAPH_INTERNAL_PUBLIC_KEY="${oneLine(publicKeyPem)}"`);
