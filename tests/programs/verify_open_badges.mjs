// An independent verifier for our Open Badges 3.0 credentials (issue 23), run by
// tests/programs/test_open_badges.py: Digital Bazaar's @digitalbazaar/vc with the
// Data Integrity proof and the eddsa-rdfc-2022 cryptosuite, none of our signing code.
//
//   node verify_open_badges.mjs CONTEXT_DIR CONTEXT_MAP_JSON SITE_URL [SERVER] < credentials.json
//
// stdin: a JSON array of credentials; stdout: a JSON array of {verified, revoked, error}.
// The document loader serves the bundled JSON-LD contexts (the same files the app uses,
// no network) and resolves did:web identifiers the way the DID method says, except that
// the tests' live server speaks plain HTTP, at SITE_URL or at SERVER when given (the
// addresses on SITE_URL are then fetched from SERVER). A credential with a status entry
// is checked against its Bitstring Status List fetched from the server, whose own
// signature is verified first.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {gunzipSync} from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const [contextDir, contextMap, siteUrl, server] = process.argv.slice(2);
const contexts = new Map(Object.entries(JSON.parse(contextMap)).map(
  ([url, file]) => [url, JSON.parse(readFileSync(join(contextDir, file), 'utf8'))]));
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function onServer(url) {
  return server && url.startsWith(siteUrl) ? server + url.slice(siteUrl.length) : url;
}

async function fetchJson(url) {
  const response = await fetch(onServer(url));
  if(!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  return response.json();
}

function didWebUrl(did) {
  // did:web:host%3Aport:a:b -> <scheme>://host:port/a/b/did.json
  const parts = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const site = new URL(siteUrl);
  if(parts[0] !== site.host) {
    throw new Error(`${did} is not on ${site.host}`);
  }
  const path = parts.length > 1 ? parts.slice(1).join('/') : '.well-known';
  return `${site.protocol}//${parts[0]}/${path}/did.json`;
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:web:')) {
    const [did, fragment] = url.split('#');
    const didDocument = await fetchJson(didWebUrl(did));
    if(didDocument.id !== did) {
      throw new Error(`DID document of ${did} names ${didDocument.id}`);
    }
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: didDocument};
    }
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${url} is not in its DID document`);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      document: {'@context': MULTIKEY_V1, ...method}
    };
  }
  throw new Error(`The verifier loads no ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

async function checkStatus({credential}) {
  const entry = credential.credentialStatus;
  if(entry.type !== 'BitstringStatusListEntry' || entry.statusPurpose !== 'revocation') {
    return {verified: false, error: 'unknown status entry'};
  }
  const list = await fetchJson(entry.statusListCredential);
  const listResult = await vc.verifyCredential({credential: list, suite, documentLoader});
  if(!listResult.verified) {
    return {verified: false, error: 'the status list is not verified'};
  }
  const issuerOf = c => (typeof c.issuer === 'string' ? c.issuer : c.issuer.id);
  if(issuerOf(list) !== issuerOf(credential)) {
    return {verified: false, error: 'the status list has another issuer'};
  }
  const encoded = list.credentialSubject.encodedList;
  const bits = gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  const index = Number.parseInt(entry.statusListIndex, 10);
  const revoked = (bits[index >> 3] & (0x80 >> (index % 8))) !== 0;
  return {verified: !revoked, revoked};
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for(const credential of input) {
  try {
    const result = await vc.verifyCredential({
      credential, suite, documentLoader, checkStatus
    });
    const errors = [].concat(result.error || [])
      .flatMap(e => (e.errors ? e.errors : [e]))
      .map(e => String(e.message || e));
    results.push({
      verified: result.verified,
      revoked: result.statusResult ? Boolean(result.statusResult.revoked) : null,
      error: errors.join('; ')
    });
  } catch(e) {
    results.push({verified: false, revoked: null, error: String(e.message || e)});
  }
}
process.stdout.write(JSON.stringify(results));
