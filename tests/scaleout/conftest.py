"""Servers of the scale-out tests, started once per session on loopback: an S3 API server
(moto in server mode) with the two buckets, behind a TCP proxy the tests can cut (an outage
of the store)."""

import pytest

from tests.loadtest.servers import S3_KEYS, MotoS3
from tests.security.proxy import CuttableProxy

PRIVATE_BUCKET = "talentnet-private"
PUBLIC_BUCKET = "talentnet-public"


class S3Server:
    """The moto server (tests/loadtest/servers.py) and the cuttable proxy in front of it."""

    def __init__(self, moto: MotoS3, proxy):
        self.moto, self.proc, self.port, self.proxy = moto, moto.proc, moto.port, proxy

    @property
    def endpoint(self) -> str:
        """Through the cuttable proxy: what the app is configured with."""
        return f"http://127.0.0.1:{self.proxy.port}"

    def client(self):
        return self.moto.client()

    def keys(self, bucket: str) -> set[str]:
        return self.moto.keys(bucket)


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free loopback port, both buckets created."""
    with (
        MotoS3(buckets=(PRIVATE_BUCKET, PUBLIC_BUCKET)) as moto,
        CuttableProxy("127.0.0.1", moto.port) as proxy,
    ):
        yield S3Server(moto, proxy)


@pytest.fixture
def object_store(s3_server, settings, monkeypatch):
    """The app's storages on the S3 server, built by the settings' own code
    (talentnet.object_storage) from the variables an operator sets."""
    import environ

    from talentnet.object_storage import s3_storages

    variables = {
        "STORAGE_BACKEND": "s3",
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "STORAGE_PRIVATE_BUCKET": PRIVATE_BUCKET,
        "STORAGE_PUBLIC_BUCKET": PUBLIC_BUCKET,
        "STORAGE_TIMEOUT": "2",
        **S3_KEYS,
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    storages_conf, _origin = s3_storages(environ.Env())
    settings.STORAGES = {**settings.STORAGES, **storages_conf}
    settings.STORAGE_SIGNED_URL_SECONDS = 60
    # A field given a storage callable (public_storage) calls it once, when the model is
    # loaded; in production the settings are fixed by then, here the logo field gets the
    # storage the settings now name.
    from django.core.files.storage import storages

    from chapters.models import Chapter

    monkeypatch.setattr(Chapter._meta.get_field("logo"), "storage", storages["public"])
    s3_server.proxy.restore()
    yield s3_server
    s3_server.proxy.restore()
