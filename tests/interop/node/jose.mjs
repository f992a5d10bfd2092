// Node `jose` interop helper for keyward's tests (tests/jose_interop.rs).
//
// Run as `node tests/interop/node/jose.mjs` with KEYWARD_NODE_DIR set to the
// directory scripts/interop-env.sh installed package-lock.json into (it holds
// node_modules/jose). Reads one JSON object on stdin, writes one on stdout:
//
//   in:  {"sign":   [{"alg": A, "key": PEM, "header": {...}, "claims": {...}}, ...],
//         "verify": [{"token": T, "alg": A, "key": PEM} or {"token": T, "jwks_url": URL},
//                    plus optional "issuer", "audience", "typ"], ...}
//   out: {"signed":   [T | {"error": CODE, "message": M}, ...],
//         "verified": [{"header": {...}, "claims": {...}}
//                      | {"error": CODE, "claim": C?, "reason": R?, "message": M}, ...]}
//
// alg is EdDSA, ES256 or RS256. To sign, key is a PKCS#8 private key and the
// header is exactly the protected header written besides alg (typ, kid or
// nothing): SignJWT adds neither typ nor iat unless asked, so the claims are
// exactly those given. To verify, key is an SPKI public key and jwtVerify is
// limited to that one algorithm; with jwks_url the keys come from
// createRemoteJWKSet(new URL(jwks_url)), which picks the key by kid and alg.
// issuer, audience and typ become jwtVerify's options of the same names.
//
// CODE is jose's error code (ERR_JWT_CLAIM_VALIDATION_FAILED, ...); for claim
// failures `claim` names the claim (iss, aud, typ, ...) and `reason` says why.
// Results are in input order; every failure becomes an error item.

import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.KEYWARD_NODE_DIR;
if (!dir) {
  throw new Error('KEYWARD_NODE_DIR must name the directory holding node_modules/jose');
}
// Resolve jose from the installed tree, not from this file's directory.
const resolved = createRequire(join(resolve(dir), 'package.json')).resolve('jose');
const jose = await import(pathToFileURL(resolved).href);

async function sign(item) {
  const key = await jose.importPKCS8(item.key, item.alg);
  return new jose.SignJWT(item.claims)
    .setProtectedHeader({ ...item.header, alg: item.alg })
    .sign(key);
}

async function verify(item) {
  const options = {};
  for (const name of ['issuer', 'audience', 'typ']) {
    if (item[name] !== undefined) options[name] = item[name];
  }
  let key;
  if (item.jwks_url !== undefined) {
    key = jose.createRemoteJWKSet(new URL(item.jwks_url));
  } else {
    key = await jose.importSPKI(item.key, item.alg);
    options.algorithms = [item.alg];
  }
  const { payload, protectedHeader } = await jose.jwtVerify(item.token, key, options);
  return { header: protectedHeader, claims: payload };
}

async function run(func, item) {
  try {
    return await func(item);
  } catch (error) {
    const answer = { error: error.code ?? error.name, message: error.message };
    if (error.claim !== undefined) answer.claim = error.claim;
    if (error.reason !== undefined) answer.reason = error.reason;
    return answer;
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answer = { signed: [], verified: [] };
for (const item of request.sign ?? []) answer.signed.push(await run(sign, item));
for (const item of request.verify ?? []) answer.verified.push(await run(verify, item));
process.stdout.write(`${JSON.stringify(answer)}\n`);
