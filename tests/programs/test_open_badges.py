"""Open Badges 3.0 (issue 23): each credential is also a W3C Verifiable Credential of type
OpenBadgeCredential, signed by its issuer's Ed25519 key (Data Integrity, eddsa-rdfc-2022);
the issuer's DID document, profile and revocation list are public at stable addresses.

The signatures are proved by an independent verifier: Digital Bazaar's @digitalbazaar/vc
with the eddsa-rdfc-2022 cryptosuite, from npm (tests/programs/verify_open_badges.mjs),
which fetches the issuer's key and the status list from a live server."""

import copy
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from programs import openbadges
from programs.models import Certificate
from programs.services import (
    issue_certificates,
    issue_partner_certifications,
    revoke_certificates,
)
from tests.factories import PartnerFactory, participant, program_staff_user, program_with_stages
from tests.programs.independent_verifier import verify_independently as _verify_independently


@pytest.fixture
def credentials(db):
    """A participant of IA 1000 with the centre's constancia and Huawei's certification."""
    return _credentials_now()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_independent_verifier_verifies_both_credentials_and_sees_revocation(
    live_server, settings
):
    settings.SITE_URL = live_server.url
    constancia, partner = _credentials_now()
    signed = [openbadges.signed_credential(constancia), openbadges.signed_credential(partner)]
    tampered = copy.deepcopy(signed[0])
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Otra Persona"
    other_key = copy.deepcopy(signed[1])
    other_key["proof"] = signed[0]["proof"]  # the network's (Infotec's) proof on Huawei's

    results = _verify_independently([*signed, tampered, other_key])

    assert [r["verified"] for r in results] == [True, True, False, False], results
    assert results[0]["revoked"] is False
    assert results[1]["error"] == ""
    assert results[2] == {"verified": False, "revoked": None, "error": "Invalid signature."}
    assert results[3]["error"] == "Invalid signature."

    revoke_certificates(certificate_ids=[partner.pk], reason="Error de captura")
    after = _verify_independently(signed[:2])
    assert after[0]["verified"] is True
    assert (after[1]["verified"], after[1]["revoked"]) == (False, True)


def _credentials_now():
    program, stage1, _ = program_with_stages(name_es="IA 1000", name_en="IA 1000")
    program.partners.add(PartnerFactory(slug="infotec", name="Infotec"))
    stage1.certifying_partner = PartnerFactory(
        slug="huawei", name="Huawei Technologies", kind="company"
    )
    stage1.certification_name = "HCIA-AI"
    stage1.save()
    participant(stage1, score=Decimal("95"), completed=True, certified=True)
    issue_certificates(stage=stage1, notify=False)
    issue_partner_certifications(stage=stage1, notify=False)
    Certificate.objects.filter(kind="partner").update(external_id="HW-2026-0001")
    return (
        Certificate.objects.with_document().get(kind="constancia"),
        Certificate.objects.with_document().get(kind="partner"),
    )


def test_the_credential_is_an_open_badge_signed_by_its_own_issuer(credentials):
    constancia, partner = credentials
    badge = openbadges.signed_credential(partner)
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    host = settings.SITE_URL.split("://")[1].replace(":", "%3A")
    assert badge["issuer"]["id"] == f"did:web:{host}:credentials:partners:huawei"
    assert badge["issuer"]["name"] == "Huawei Technologies"
    assert badge["credentialSubject"]["achievement"]["name"] == "HCIA-AI"
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == partner.holder_name
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert badge["proof"]["verificationMethod"] == badge["issuer"]["id"] + "#key-1"
    assert badge["id"] == partner.verification_url()

    other = openbadges.signed_credential(constancia)
    assert other["issuer"]["id"].endswith(":credentials:partners:infotec")
    # Each issuer has its own key; a proof never verifies under the other's.
    huawei_key = openbadges.public_key_multibase(partner.issuer)
    infotec_key = openbadges.public_key_multibase(constancia.issuer)
    assert huawei_key != infotec_key
    assert openbadges.verify(badge, huawei_key)
    assert not openbadges.verify(badge, infotec_key)
    # The same credential signs the same way (Ed25519 is deterministic, the data fixed).
    assert openbadges.signed_credential(partner) == badge


def test_the_key_comes_from_the_seed_setting(credentials, settings):
    _constancia, partner = credentials
    before = openbadges.public_key_multibase(partner.issuer)
    settings.OPENBADGES_KEY_SEED = "a-production-seed-from-the-environment"
    assert openbadges.public_key_multibase(partner.issuer) != before
    assert openbadges.public_key_multibase(None) != openbadges.public_key_multibase(partner.issuer)


def test_no_context_is_fetched_from_the_network():
    with pytest.raises(Exception, match="bundled"):
        openbadges.document_loader("https://example.org/context.jsonld")


def test_public_issuer_documents_at_stable_urls(client, credentials):
    _constancia, partner = credentials
    response = client.get("/credentials/partners/huawei/did.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    method = document["verificationMethod"][0]
    assert method["type"] == "Multikey"
    assert method["publicKeyMultibase"] == openbadges.public_key_multibase(partner.issuer)
    assert document["assertionMethod"] == [method["id"]]
    assert method["publicKeyMultibase"].startswith("z6Mk")  # Ed25519 in multikey form

    profile = json.loads(client.get("/credentials/partners/huawei/").content)
    assert (profile["type"], profile["name"], profile["id"]) == (
        ["Profile"],
        "Huawei Technologies",
        document["id"],
    )
    network = json.loads(client.get("/credentials/network/did.json").content)
    assert network["id"].endswith(":credentials:network")
    assert client.get("/credentials/partners/nadie/did.json").status_code == 404
    assert client.get("/en/credentials/network/").status_code == 200


def test_revocation_flips_the_bit_in_the_issuers_status_list(client, credentials, monkeypatch):
    constancia, partner = credentials
    badge = openbadges.signed_credential(partner)
    entry = badge["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusListCredential"].endswith("/credentials/partners/huawei/status.json")

    def status_list():
        response = client.get("/credentials/partners/huawei/status.json")
        assert response.status_code == 200
        return json.loads(response.content)

    before = status_list()
    assert before["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert before["issuer"] == badge["issuer"]["id"]
    assert openbadges.verify(before, openbadges.public_key_multibase(partner.issuer))
    assert len(openbadges.decode_bitstring(before["credentialSubject"]["encodedList"])) == 16384
    assert not openbadges.credential_is_revoked(badge, before)

    revoke_certificates(certificate_ids=[partner.pk], reason="Error de captura")
    after = status_list()
    assert openbadges.credential_is_revoked(badge, after)
    assert openbadges.verify(after, openbadges.public_key_multibase(partner.issuer))
    # Only that bit: the constancia (another issuer's list) is still valid.
    bits = openbadges.decode_bitstring(after["credentialSubject"]["encodedList"])
    assert sum(bin(byte).count("1") for byte in bits) == 1
    # The signed list of a state is kept: asked again, the same document, not signed again.
    monkeypatch.setattr(openbadges, "_signed_status_list", lambda *args: pytest.fail("signed"))
    assert status_list() == after
    monkeypatch.undo()
    infotec = json.loads(client.get("/credentials/partners/infotec/status.json").content)
    assert not openbadges.credential_is_revoked(openbadges.signed_credential(constancia), infotec)


def test_the_holder_downloads_the_signed_credential_others_do_not(client, credentials):
    _constancia, partner = credentials
    url = reverse("programs:certificate_json", kwargs={"code": partner.code})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    holder = partner.enrolment.application.user
    client.force_login(holder)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == openbadges.signed_credential(partner)
    page = client.get(reverse("programs:mine")).content.decode()
    assert url in page

    from tests.factories import member

    client.force_login(member())
    assert client.get(url).status_code == 404
    client.force_login(program_staff_user())
    assert client.get(url).status_code == 200
