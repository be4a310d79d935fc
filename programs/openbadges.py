"""Open Badges 3.0: each credential (the centre's constancia, a partner's certification) is
also a W3C Verifiable Credential (JSON-LD, VC Data Model 2.0) of type OpenBadgeCredential,
signed by its issuer with Ed25519 as a Data Integrity proof (cryptosuite eddsa-rdfc-2022).

- Issuers: the network (a constancia with no centre) and each partner. Each has its own key,
  derived from OPENBADGES_KEY_SEED (HKDF-SHA256, one key per issuer; without the setting,
  from SECRET_KEY: a generated key for `make run` and the tests, never a committed secret).
- Each issuer is a did:web identifier whose DID document, served at its stable URL
  (`/credentials/network/did.json`, `/credentials/partners/<slug>/did.json`), holds its
  public key as a Multikey verification method; its Open Badges profile is beside it.
- Revocation: one Bitstring Status List per issuer (`.../status.json`), signed too; a
  credential's index in it is its primary key, and revoking it sets that bit.
- The JSON-LD contexts are bundled (programs/jsonld_contexts) and served by a document
  loader that never touches the network: anything else is refused.

Signing follows "Data Integrity EdDSA Cryptosuites v1.0", eddsa-rdfc-2022: the document and
the proof options are canonicalised with RDFC-1.0 (pyld's URDNA2015, the same algorithm),
hashed with SHA-256, and the proof options' hash followed by the document's is signed.
The proof value and the public key are multibase base58-btc (the key with the Ed25519
multicodec prefix 0xed01).
"""

import base64
import copy
import functools
import gzip
import hashlib
import json
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from pyld import jsonld

from .models import Certificate, Partner

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-3.0.3.jsonld",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}
CONTEXT_DIR = Path(__file__).resolve().parent / "jsonld_contexts"
CRYPTOSUITE = "eddsa-rdfc-2022"
KEY_FRAGMENT = "key-1"
NETWORK = "network"
# A status list has at least 131,072 entries (16 KB), so that a list says little about
# any one holder (Bitstring Status List v1.0, "herd privacy").
STATUS_LIST_MIN_BITS = 131072
ED25519_MULTICODEC = b"\xed\x01"
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class OpenBadgeError(Exception):
    pass


# --- Contexts, offline ---------------------------------------------------------------------


@functools.cache
def bundled_context(url: str) -> dict:
    return json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url, options=None):
    """pyld's document loader: the bundled contexts, and nothing from the network."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Only the bundled JSON-LD contexts are loaded, not {url}.",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url)}


def canonize(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )


# --- Keys and identifiers ------------------------------------------------------------------


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, remainder = divmod(number, 58)
        out = BASE58_ALPHABET[remainder] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + BASE58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def issuer_key_name(partner: Partner | None) -> str:
    return NETWORK if partner is None else f"partner:{partner.slug}"


def _key_seed() -> bytes:
    seed = getattr(settings, "OPENBADGES_KEY_SEED", "")
    if seed:
        return seed.encode()
    return b"openbadges-from-secret-key:" + settings.SECRET_KEY.encode()


def private_key(partner: Partner | None) -> Ed25519PrivateKey:
    """The issuer's own Ed25519 key: HKDF-SHA256 of the seed, with the issuer in `info`."""
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"talentnet open badges 3.0",
        info=f"issuer {issuer_key_name(partner)}".encode(),
    ).derive(_key_seed())
    return Ed25519PrivateKey.from_private_bytes(material)


def public_key_multibase(partner: Partner | None) -> str:
    raw = (
        private_key(partner)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return "z" + base58btc(ED25519_MULTICODEC + raw)


def _path(name: str, partner: Partner | None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if partner is None:
            return reverse(f"programs:openbadges_network_{name}")
        return reverse(f"programs:openbadges_partner_{name}", kwargs={"slug": partner.slug})


def issuer_did(partner: Partner | None) -> str:
    """did:web of the issuer; it resolves to `<SITE_URL>/credentials/…/did.json`."""
    site = urlsplit(settings.SITE_URL)
    segments = [quote(site.netloc, safe="")]
    segments += [s for s in _path("did", partner).split("/") if s and s != "did.json"]
    return "did:web:" + ":".join(segments)


def verification_method_id(partner: Partner | None) -> str:
    return f"{issuer_did(partner)}#{KEY_FRAGMENT}"


def did_document(partner: Partner | None) -> dict:
    did = issuer_did(partner)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {
                "id": verification_method_id(partner),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": public_key_multibase(partner),
            }
        ],
        "assertionMethod": [verification_method_id(partner)],
    }


def _issuer_name(partner: Partner | None) -> str:
    from .services import NETWORK_ISSUER_NAME

    return partner.name if partner else NETWORK_ISSUER_NAME


def issuer_profile(partner: Partner | None, *, name: str = "") -> dict:
    """The Open Badges issuer Profile (embedded in each credential and served alone)."""
    return {
        "id": issuer_did(partner),
        "type": ["Profile"],
        "name": name or _issuer_name(partner),
        "url": settings.SITE_URL + _path("profile", partner),
    }


def issuer_profile_document(partner: Partner | None) -> dict:
    return {"@context": [CREDENTIALS_V2, OB_V3], **issuer_profile(partner)}


# --- Signing -------------------------------------------------------------------------------


def _hash_data(unsecured: dict, proof_options: dict) -> bytes:
    options = {**proof_options, "@context": unsecured["@context"]}
    return (
        hashlib.sha256(canonize(options).encode()).digest()
        + hashlib.sha256(canonize(unsecured).encode()).digest()
    )


def sign(unsecured: dict, partner: Partner | None) -> dict:
    """The document with an eddsa-rdfc-2022 DataIntegrityProof by the issuer's key."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method_id(partner),
        "proofPurpose": "assertionMethod",
    }
    signature = private_key(partner).sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


def verify(secured: dict, public_multibase: str) -> bool:
    """Our own check of a proof (for the admin and the tests' sanity; the tests prove the
    signature with an independent verifier)."""
    document = copy.deepcopy(secured)
    proof = document.pop("proof", None)
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.pop("proofValue", "")
    raw = base58btc_decode(public_multibase[1:])
    if not value.startswith("z") or raw[:2] != ED25519_MULTICODEC:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(raw[2:]).verify(
            base58btc_decode(value[1:]), _hash_data(document, proof)
        )
    except Exception:
        return False
    return True


# --- The credential ------------------------------------------------------------------------


def _date_time(day) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def credential_id(certificate: Certificate) -> str:
    return certificate.verification_url()


def status_list_url(partner: Partner | None) -> str:
    return settings.SITE_URL + _path("status", partner)


def unsigned_credential(certificate: Certificate) -> dict:
    """The OpenBadgeCredential of a credential (without its proof). Built only from what
    the credential fixed when it was issued, so the same credential signs the same way."""
    stage = certificate.enrolment.stage
    program = stage.program
    partner = certificate.issuer
    if certificate.is_partner_certification:
        achievement_type = "Certification"
        name = certificate.display_title
        description = (
            f"Certificación «{name}» de {certificate.issuer_name}, en la etapa «{stage.name_es}» "
            f"del programa {program.name_es}. / Certification “{name}” by "
            f"{certificate.issuer_name}, in the stage “{stage.name_en}” of the program "
            f"{program.name_en}."
        )
    else:
        achievement_type = "CertificateOfCompletion"
        name = f"Constancia de participación: {stage.name_es} ({program.name_es})"
        description = (
            f"Concluyó y acreditó la etapa «{stage.name_es}» del programa {program.name_es}. "
            f"/ Completed and passed the stage “{stage.name_en}” of the program "
            f"{program.name_en}."
        )
    index = str(certificate.pk)
    status_url = status_list_url(partner)
    achievement = {
        "id": f"{settings.SITE_URL}{program.get_absolute_url()}#{certificate.kind}-{stage.pk}",
        "type": ["Achievement"],
        "achievementType": achievement_type,
        "name": name,
        "description": description,
        "criteria": {"narrative": description},
        "creator": issuer_profile(partner, name=certificate.issuer_name),
    }
    if certificate.external_id:
        achievement["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": certificate.external_id,
                "identifierType": "identifier",
            }
        ]
    return {
        "@context": [CREDENTIALS_V2, OB_V3],
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer_profile(partner, name=certificate.issuer_name),
        "validFrom": _date_time(certificate.issued_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index,
            "statusListCredential": status_url,
        },
    }


def signed_credential(certificate: Certificate) -> dict:
    return sign(unsigned_credential(certificate), certificate.issuer)


# --- Revocation: the Bitstring Status List -------------------------------------------------


def encode_bitstring(indices: set[int]) -> str:
    """GZIP-compressed bitstring, base64url without padding, multibase 'u' (index 0 is the
    left-most bit of the first byte)."""
    size = max(STATUS_LIST_MIN_BITS, ((max(indices, default=0) // 8) + 1) * 8)
    bits = bytearray(size // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode_bitstring(encoded: str) -> bytes:
    body = encoded[1:] if encoded.startswith("u") else encoded
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_is_set(encoded: str, index: int) -> bool:
    bits = decode_bitstring(encoded)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# Signing a list costs a few hundred milliseconds (canonicalisation): a public URL keeps
# the signed list of each state in the cache, so that only a revocation signs it again.
STATUS_LIST_CACHE_SECONDS = 24 * 60 * 60


def status_list_credential(partner: Partner | None) -> dict:
    """The issuer's revocation list, signed: a bit per credential, set when revoked."""
    revoked = Certificate.objects.filter(issuer=partner, revoked_at__isnull=False)
    indices = set(revoked.values_list("pk", flat=True))
    url = status_list_url(partner)
    state = hashlib.sha256(
        json.dumps([url, public_key_multibase(partner), sorted(indices)]).encode()
    ).hexdigest()
    key = f"openbadges:status-list:{state}"
    answers = caches["answers"]  # whole answers any process can compute again
    document = answers.get(key)
    if document is None:
        document = _signed_status_list(partner, url, indices)
        answers.set(key, document, STATUS_LIST_CACHE_SECONDS)
    return document


def _signed_status_list(partner: Partner | None, url: str, indices: set[int]) -> dict:
    return sign(
        {
            "@context": [CREDENTIALS_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(partner),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_bitstring(indices),
            },
        },
        partner,
    )


def credential_is_revoked(credential: dict, status_list: dict) -> bool:
    """What a verifier does with the status list: the bit at the credential's index."""
    entry = credential["credentialStatus"]
    encoded = status_list["credentialSubject"]["encodedList"]
    return bit_is_set(encoded, int(entry["statusListIndex"]))
