"""STORAGES on an S3-compatible object store (STORAGE_BACKEND=s3; members/storage.py says
what each storage holds): built from the STORAGE_*/AWS_* variables of .env.example."""

from urllib.parse import urlsplit

from botocore.config import Config


def s3_storages(env) -> tuple[dict, str]:
    """The "default", "exports" and "public" storages for `env` (a django-environ Env), and
    the public bucket's origin (for the CSP's img-src)."""
    s3_endpoint = env("AWS_S3_ENDPOINT_URL", default="") or None
    s3_region = env("AWS_S3_REGION_NAME", default="us-east-1")
    s3 = {
        "endpoint_url": s3_endpoint,
        "region_name": s3_region,
        "access_key": env("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default="") or None,
        "file_overwrite": False,
        # Signed URLs in Signature V4; a store that does not answer fails the upload within
        # seconds (the form says so). (A client_config replaces django-storages' own, so
        # the addressing style is set here.)
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path")},
            connect_timeout=env.float("STORAGE_TIMEOUT", default=5.0),
            read_timeout=env.float("STORAGE_TIMEOUT", default=5.0),
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }
    private_bucket = env("STORAGE_PRIVATE_BUCKET")
    public_bucket = env("STORAGE_PUBLIC_BUCKET")
    public_url = env("STORAGE_PUBLIC_URL", default="") or (
        f"{(s3_endpoint or f'https://s3.{s3_region}.amazonaws.com').rstrip('/')}/{public_bucket}/"
    )
    public_split = urlsplit(public_url)
    public_origin = f"{public_split.scheme}://{public_split.netloc}"
    storages = {
        "default": {
            "BACKEND": "members.storage.PrivateS3Storage",
            "OPTIONS": {**s3, "bucket_name": private_bucket, "default_acl": None},
        },
        "exports": {
            "BACKEND": "members.storage.PrivateS3Storage",
            "OPTIONS": {
                **s3,
                "bucket_name": private_bucket,
                "default_acl": None,
                "location": "exports",
            },
        },
        "public": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **s3,
                "bucket_name": public_bucket,
                "querystring_auth": False,
                "default_acl": env("STORAGE_PUBLIC_ACL", default="public-read") or None,
                "url_protocol": f"{public_split.scheme}:",
                "custom_domain": f"{public_split.netloc}{public_split.path}".rstrip("/"),
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    return storages, public_origin
