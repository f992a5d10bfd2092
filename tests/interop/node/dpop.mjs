// Node `jose` DPoP helper for keyward's tests (tests/dpop_interop.rs): an independent maker
// and checker of RFC 9449 proofs, built from jose's generic JWT primitives.
//
// Run as `node tests/interop/node/dpop.mjs` with KEYWARD_NODE_DIR set as for jose.mjs.
// Reads one JSON object on stdin, writes one on stdout:
//
//   in:  {"sign":   [{"alg": A, "htm": M, "htu": U, "access_token": T?, "nonce": N?}, ...],
//         "verify": [{"proof": P, "htm": M, "htu": U, "access_token": T?}, ...]}
//   out: {"signed":   [{"proof": P, "jkt": J} | {"error": CODE, "message": M}, ...],
//         "verified": [{"jkt": J, "header": {...}, "claims": {...}}
//                      | {"error": CODE, "message": M}, ...]}
//
// To sign, a fresh key pair for alg (EdDSA, ES256, RS256, PS256) is generated here; the
// proof's header is {typ: "dpop+jwt", alg, jwk: the public JWK}, its claims jti (a random
// UUID), htm, htu, iat (now), and ath (base64url SHA-256 of access_token) and nonce when
// given. jkt is jose's RFC 7638 thumbprint of the public JWK.
//
// To verify, the checks of RFC 9449 §4.3 are made with jose: typ is dpop+jwt; alg is one of
// the four asymmetric algorithms; the header's jwk has no private member; jwtVerify with the
// key imported from that jwk (typ and algorithms options); htm equals the given method; htu
// equals the given URL, both parsed with WHATWG URL and compared without query and fragment;
// iat within 60 s of now; jti a non-empty string; ath the hash of access_token when given.

import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.KEYWARD_NODE_DIR;
if (!dir) {
  throw new Error('KEYWARD_NODE_DIR must name the directory holding node_modules/jose');
}
const resolved = createRequire(join(resolve(dir), 'package.json')).resolve('jose');
const jose = await import(pathToFileURL(resolved).href);

const ALGORITHMS = ['EdDSA', 'ES256', 'RS256', 'PS256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const ath = (token) => createHash('sha256').update(token, 'ascii').digest('base64url');

function withoutQuery(url) {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

async function sign(item) {
  const { publicKey, privateKey } = await jose.generateKeyPair(item.alg, { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const claims = { jti: randomUUID(), htm: item.htm, htu: item.htu };
  if (item.access_token !== undefined) claims.ath = ath(item.access_token);
  if (item.nonce !== undefined) claims.nonce = item.nonce;
  const proof = await new jose.SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: item.alg, jwk })
    .setIssuedAt()
    .sign(privateKey);
  return { proof, jkt: await jose.calculateJwkThumbprint(jwk) };
}

function fail(code, message) {
  const error = new Error(message);
  error.code = code;
  throw error;
}

async function verify(item) {
  const header = jose.decodeProtectedHeader(item.proof);
  if (header.typ !== 'dpop+jwt') fail('DPOP_TYP', `typ ${header.typ}`);
  if (!ALGORITHMS.includes(header.alg)) fail('DPOP_ALG', `alg ${header.alg}`);
  if (typeof header.jwk !== 'object' || header.jwk === null) fail('DPOP_JWK', 'no jwk');
  for (const member of PRIVATE_MEMBERS) {
    if (member in header.jwk) fail('DPOP_PRIVATE_JWK', `jwk has ${member}`);
  }
  const key = await jose.importJWK(header.jwk, header.alg);
  const { payload, protectedHeader } = await jose.jwtVerify(item.proof, key, {
    typ: 'dpop+jwt',
    algorithms: ALGORITHMS,
  });
  if (payload.htm !== item.htm) fail('DPOP_HTM', `htm ${payload.htm}`);
  if (withoutQuery(payload.htu) !== withoutQuery(item.htu)) fail('DPOP_HTU', `htu ${payload.htu}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > 60) fail('DPOP_IAT', `iat ${payload.iat}`);
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) fail('DPOP_JTI', 'no jti');
  if (item.access_token !== undefined && payload.ath !== ath(item.access_token)) {
    fail('DPOP_ATH', `ath ${payload.ath}`);
  }
  return {
    jkt: await jose.calculateJwkThumbprint(header.jwk),
    header: protectedHeader,
    claims: payload,
  };
}

async function run(func, item) {
  try {
    return await func(item);
  } catch (error) {
    return { error: error.code ?? error.name, message: error.message };
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answer = { signed: [], verified: [] };
for (const item of request.sign ?? []) answer.signed.push(await run(sign, item));
for (const item of request.verify ?? []) answer.verified.push(await run(verify, item));
process.stdout.write(`${JSON.stringify(answer)}\n`);
