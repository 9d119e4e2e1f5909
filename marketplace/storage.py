"""Where uploaded and generated files live: a local folder by default, an S3-compatible bucket when configured.

Code never builds paths or URLs for files itself. It stores bytes under a generated key such as
"products/12/3f9a0c.webp" and asks the app's storage for them again:

    storage = get_storage()
    storage.save(key, data, "image/webp")
    storage.url(key)            # in templates: {{ media_url(key) }}

Settings (app.config, or the environment):
  STORAGE_BACKEND   "local" (default) or "s3"
  UPLOAD_FOLDER     local folder; empty means instance/uploads
  S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_PUBLIC_BASE_URL
                    for "s3" (pip install 'ocop-market[s3]' for boto3). Without S3_PUBLIC_BASE_URL
                    the URLs are time-limited presigned links.
"""

import os
import re
import secrets
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import quote

from flask import Flask, current_app, url_for

#: Generated keys only: path segments of letters, digits, dot, dash and underscore.
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")
MAX_KEY_LENGTH = 255
#: Presigned S3 links (used when the bucket has no public base URL) last this long.
PRESIGNED_SECONDS = 3600
#: Browsers may cache stored files for a year: a key is never reused for different content.
MEDIA_MAX_AGE = 365 * 24 * 3600


class InvalidKey(ValueError):
    """A key that could escape the storage root or is not a generated key."""


def check_key(key: str) -> str:
    """Return the key if it is a safe relative key; raise InvalidKey otherwise."""
    if (
        not isinstance(key, str)
        or not key
        or len(key) > MAX_KEY_LENGTH
        or ".." in key
        or "\\" in key
        or key.startswith("/")
        or not _KEY_PATTERN.match(key)
    ):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


def new_key(prefix: str, extension: str) -> str:
    """A fresh unguessable key, e.g. new_key("products/12", "webp") -> "products/12/Xa3...webp"."""
    return check_key(f"{prefix.strip('/')}/{secrets.token_urlsafe(12)}.{extension.lstrip('.')}")


class Storage(ABC):
    """The interface every backend implements. Missing keys raise FileNotFoundError in open()."""

    @abstractmethod
    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Store the bytes under the key, replacing any earlier content."""

    @abstractmethod
    def open(self, key: str) -> bytes:
        """The stored bytes; FileNotFoundError when the key does not exist."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """True when something is stored under the key."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the key; deleting a missing key is not an error."""

    @abstractmethod
    def url(self, key: str) -> str:
        """A URL a browser can load the file from."""


class LocalStorage(Storage):
    """Files in a folder on this machine, served by the core.media route (or nginx in production)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file's path; refuses keys that would leave the root."""
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"invalid storage key: {key!r}")
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a file.
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def open(self, key: str) -> bytes:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return url_for("core.media", key=check_key(key))


class S3Storage(Storage):
    """Objects in an S3-compatible bucket (AWS, MinIO, Cloudflare R2...), shared by several app servers."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, public_base_url: str | None = None, client=None):
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET to be set.")
        self.bucket = bucket
        self.public_base_url = (public_base_url or "").rstrip("/")
        if client is None:
            try:
                # reason: optional dependency (extra s3), only needed for STORAGE_BACKEND=s3
                import boto3
            except ImportError as error:
                raise RuntimeError(
                    "STORAGE_BACKEND=s3 needs boto3: install it with  pip install 'ocop-market[s3]'"
                ) from error
            client = boto3.client(
                "s3", endpoint_url=endpoint_url or None, aws_access_key_id=access_key_id or None,
                aws_secret_access_key=secret_access_key or None,
            )
        self.client = client

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type,
            CacheControl=f"public, max-age={MEDIA_MAX_AGE}, immutable",
        )

    def open(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.NoSuchKey as error:
            raise FileNotFoundError(key) from error
        return response["Body"].read()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url(self, key: str) -> str:
        key = check_key(key)
        if self.public_base_url:
            return f"{self.public_base_url}/{quote(key)}"
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=PRESIGNED_SECONDS
        )


def _setting(app: Flask, name: str, default: str = "") -> str:
    return app.config.get(name) or os.environ.get(name) or default


def create_storage(app: Flask) -> Storage:
    """The backend named by STORAGE_BACKEND; raises RuntimeError with a clear message when misconfigured."""
    backend = _setting(app, "STORAGE_BACKEND", "local").strip().lower()
    if backend == "local":
        root = _setting(app, "UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")
        return LocalStorage(root)
    if backend == "s3":
        return S3Storage(
            _setting(app, "S3_BUCKET"), endpoint_url=_setting(app, "S3_ENDPOINT_URL"),
            access_key_id=_setting(app, "S3_ACCESS_KEY_ID"), secret_access_key=_setting(app, "S3_SECRET_ACCESS_KEY"),
            public_base_url=_setting(app, "S3_PUBLIC_BASE_URL"),
        )
    raise RuntimeError(f"Unknown STORAGE_BACKEND {backend!r}: use 'local' or 's3'.")


def init_app(app: Flask) -> None:
    """Create the app's storage once and offer {{ media_url(key) }} to templates."""
    app.extensions["storage"] = create_storage(app)
    app.jinja_env.globals["media_url"] = media_url


def get_storage() -> Storage:
    """The current app's storage."""
    return current_app.extensions["storage"]


def media_url(key: str | None) -> str:
    """URL of a stored file, or an empty string for no key."""
    return get_storage().url(key) if key else ""
