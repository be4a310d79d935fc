"""Servers of the scale-out tests, started once per session on loopback: an S3 API server
(moto in server mode) with the two buckets, behind a TCP proxy the tests can cut (an outage
of the store)."""

import subprocess
import sys
import time

import pytest

from tests.bench.server import free_port
from tests.security.proxy import CuttableProxy

PRIVATE_BUCKET = "talentnet-private"
PUBLIC_BUCKET = "talentnet-public"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


class S3Server:
    def __init__(self, proc, port, proxy):
        self.proc, self.port, self.proxy = proc, port, proxy

    @property
    def endpoint(self) -> str:
        """Through the cuttable proxy: what the app is configured with."""
        return f"http://127.0.0.1:{self.proxy.port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def keys(self, bucket: str) -> set[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listing.get("Contents", [])}


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free loopback port, both buckets created."""
    import urllib.request

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.1)
        with CuttableProxy("127.0.0.1", port) as proxy:
            server = S3Server(proc, port, proxy)
            for bucket in (PRIVATE_BUCKET, PUBLIC_BUCKET):
                server.client().create_bucket(Bucket=bucket)
            yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
