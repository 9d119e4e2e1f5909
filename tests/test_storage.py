"""The storage interface: local files, safe keys, the media route and the S3 backend's start-up check."""

from pathlib import Path

import pytest

from config import TestConfig
from marketplace import create_app, storage


@pytest.fixture
def local(app):
    return storage.get_storage()


def test_local_storage_saves_opens_and_deletes(app, local):
    """A saved file can be read back, exists, and is gone after delete (deleting twice is fine)."""
    key = storage.new_key("tests/storage", "txt")
    local.save(key, b"xin chao", "text/plain")
    assert local.exists(key)
    assert local.open(key) == b"xin chao"
    local.save(key, b"replaced", "text/plain")
    assert local.open(key) == b"replaced"
    local.delete(key)
    local.delete(key)
    assert not local.exists(key)
    with pytest.raises(FileNotFoundError):
        local.open(key)


def test_local_storage_lives_in_the_configured_upload_folder(app, local):
    """Files land under UPLOAD_FOLDER and nowhere else."""
    key = "tests/where/file.bin"
    local.save(key, b"\x00\x01", "application/octet-stream")
    assert (local.root / "tests" / "where" / "file.bin").read_bytes() == b"\x00\x01"
    assert local.root == Path(app.config["UPLOAD_FOLDER"]).resolve()
    local.delete(key)


@pytest.mark.parametrize("key", [
    "../secret", "products/../../etc/passwd", "/etc/passwd", "products\\1\\a.webp", "", "a//b", "products/..",
    ".hidden", "products/1/%2e%2e", "x" * 300, "products/1/a b.webp",
])
def test_unsafe_keys_are_refused(local, key):
    """Keys that could leave the storage folder (.., absolute, backslashes, odd characters) are refused."""
    with pytest.raises(storage.InvalidKey):
        local.save(key, b"x", "text/plain")
    with pytest.raises(storage.InvalidKey):
        local.exists(key)


def test_generated_keys_are_unique_and_valid():
    """new_key gives a different valid key each time under the prefix."""
    first, second = storage.new_key("products/7", "webp"), storage.new_key("products/7/", ".webp")
    assert first != second
    assert first.startswith("products/7/") and first.endswith(".webp")
    assert storage.check_key(second) == second


def test_media_url_points_at_the_media_route(app, local):
    """media_url(key) is the core.media URL for local storage, and empty for no key."""
    with app.test_request_context():
        assert storage.media_url("products/1/abc.webp") == "/media/products/1/abc.webp"
        assert storage.media_url(None) == ""
    assert app.jinja_env.globals["media_url"] is storage.media_url


def test_media_route_serves_a_stored_file_with_long_caching(client, local):
    """A stored image is served with its content type, nosniff and a year of public caching."""
    key = storage.new_key("tests/media", "webp")
    local.save(key, b"RIFF0000WEBPVP8 ", "image/webp")
    response = client.get(f"/media/{key}")
    assert response.status_code == 200
    assert response.data == b"RIFF0000WEBPVP8 "
    assert response.mimetype == "image/webp"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    local.delete(key)


@pytest.mark.parametrize("path", [
    "/media/products/1/missing.webp", "/media/../config.py", "/media/..%2F..%2Fconfig.py",
    "/media/%2Fetc%2Fpasswd", "/media/products%5C1%5Ca.webp", "/media/.hidden",
])
def test_media_route_gives_404_for_missing_or_unsafe_keys(client, path):
    """Missing files and path-traversal attempts get a 404 page, never a file outside the folder."""
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert b"root:" not in response.data


def test_selecting_s3_without_boto3_fails_clearly_at_startup(monkeypatch):
    """STORAGE_BACKEND=s3 without boto3 stops the app at start-up with a message saying what to install."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("boto3 is installed here")

    class S3Config(TestConfig):
        STORAGE_BACKEND = "s3"
        S3_BUCKET = "ocop-media"

    with pytest.raises(RuntimeError, match=r"boto3.*ocop-market\[s3\]"):
        create_app(S3Config)


def test_unknown_backend_fails_clearly_at_startup():
    """A misspelt STORAGE_BACKEND stops the app at start-up instead of losing uploads."""

    class OddConfig(TestConfig):
        STORAGE_BACKEND = "ftp"

    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        create_app(OddConfig)


class _FakeS3Client:
    """Just enough of boto3's S3 client to exercise S3Storage without a network."""

    class exceptions:
        class NoSuchKey(Exception):
            pass

        class ClientError(Exception):
            def __init__(self, code):
                super().__init__(code)
                self.response = {"Error": {"Code": code}}

    def __init__(self):
        self.objects = {}

    def put_object(self, Bucket, Key, Body, ContentType, CacheControl):
        self.objects[(Bucket, Key)] = (Body, ContentType, CacheControl)

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        body = self.objects[(Bucket, Key)][0]
        return {"Body": type("Body", (), {"read": lambda self: body})()}

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise self.exceptions.ClientError("404")

    def delete_object(self, Bucket, Key):
        self.objects.pop((Bucket, Key), None)

    def generate_presigned_url(self, operation, Params, ExpiresIn):
        return f"https://s3.example/{Params['Bucket']}/{Params['Key']}?expires={ExpiresIn}"


def test_s3_storage_round_trip_with_a_fake_client():
    """S3Storage stores, reads, checks and deletes objects, and builds public or presigned URLs."""
    client = _FakeS3Client()
    bucket = storage.S3Storage("ocop", client=client, public_base_url="https://cdn.example/media/")
    bucket.save("products/1/a.webp", b"img", "image/webp")
    assert client.objects[("ocop", "products/1/a.webp")][1:] == ("image/webp", "public, max-age=31536000, immutable")
    assert bucket.exists("products/1/a.webp")
    assert bucket.open("products/1/a.webp") == b"img"
    assert bucket.url("products/1/a.webp") == "https://cdn.example/media/products/1/a.webp"
    bucket.delete("products/1/a.webp")
    assert not bucket.exists("products/1/a.webp")
    with pytest.raises(FileNotFoundError):
        bucket.open("products/1/a.webp")
    private = storage.S3Storage("ocop", client=client)
    assert private.url("products/1/b.webp") == "https://s3.example/ocop/products/1/b.webp?expires=3600"
    with pytest.raises(storage.InvalidKey):
        bucket.save("../x", b"", "text/plain")


def test_media_route_redirects_to_the_bucket_when_storage_is_s3(app, client, monkeypatch):
    """With S3 storage, an old /media link redirects to the bucket's public URL."""
    bucket = storage.S3Storage("ocop", client=_FakeS3Client(), public_base_url="https://cdn.example")
    monkeypatch.setitem(app.extensions, "storage", bucket)
    response = client.get("/media/products/1/a.webp")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://cdn.example/products/1/a.webp"
    with app.test_request_context():
        assert storage.media_url("products/1/a.webp") == "https://cdn.example/products/1/a.webp"
