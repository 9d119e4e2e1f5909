"""Product pictures: checked by content, re-encoded without metadata, limited in size, count and pixels."""

import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace.accounts.models import Role
from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from marketplace.images import MAX_UPLOAD_BYTES, UploadRefused, process_image
from marketplace.storage import get_storage
from tests.factories import make_producer, make_product, make_user


def jpeg_with_exif(width=64, height=32) -> bytes:
    """A JPEG carrying an EXIF orientation (rotate 90) and a GPS-like maker note."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    exif[0x010F] = "SecretCam GPS 21.0285,105.8542"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header declares a huge picture (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def product(login_as):
    producer = make_producer()
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    return make_product(producer=producer, stars=None, stock=0)


def _upload(client, product, data: bytes, name="photo.jpg", lang="en"):
    return client.post(f"/manage/products/{product.id}/images?lang={lang}",
                       data={"image": (io.BytesIO(data), name), "alt": "Chai nước mắm"},
                       content_type="multipart/form-data")


def _stored_files(app) -> set[str]:
    root = get_storage().root
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_uploaded_jpeg_is_oriented_reencoded_to_webp_and_loses_its_metadata(client, product):
    """The stored picture is WebP, turned upright, with a 400px thumbnail and no EXIF left."""
    response = _upload(client, product, jpeg_with_exif())
    assert response.status_code == 302
    image = db.session.scalar(sa.select(ProductImage).where(ProductImage.product_id == product.id))
    assert image.storage_key.startswith(f"products/{product.id}/") and image.storage_key.endswith(".webp")
    assert image.thumb_key.endswith("_thumb.webp")
    assert (image.width, image.height) == (32, 64)
    stored = get_storage().open(image.storage_key)
    with Image.open(io.BytesIO(stored)) as reopened:
        assert reopened.format == "WEBP"
        assert not reopened.getexif()
        assert "exif" not in reopened.info
    assert b"SecretCam" not in stored


def test_thumbnail_is_at_most_400_pixels(app):
    """A large picture gets a thumbnail no wider than 400px."""
    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "green").save(out, "PNG")
    with app.test_request_context("/"):
        processed = process_image(out.getvalue())
    with Image.open(io.BytesIO(processed.thumb)) as thumb:
        assert max(thumb.size) == 400


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"<?php echo 'hi'; ?>", "photo.jpg", "not a picture we can read"),
    (b"GIF89a" + b"\x00" * 100, "anim.gif", "not a picture we can read"),
    (png_bomb(), "bomb.png", "too large"),
    (b"", "empty.jpg", "Choose a picture"),
])
def test_bad_uploads_are_refused_and_nothing_is_saved(app, client, product, data, name, message):
    """Not-an-image, a decompression bomb or an empty file: a clear message, no row and no file."""
    before = _stored_files(app)
    response = _upload(client, product, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)
                             .where(ProductImage.product_id == product.id)) == 0
    assert _stored_files(app) == before


def test_a_too_long_description_is_refused_like_a_bad_picture(app, client, product):
    """A form error (alt text over 200 characters) answers 422 like any refused upload, and nothing is saved."""
    before = _stored_files(app)
    response = client.post(f"/manage/products/{product.id}/images?lang=en",
                           data={"image": (io.BytesIO(jpeg_with_exif()), "photo.jpg"), "alt": "x" * 201},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)
                             .where(ProductImage.product_id == product.id)) == 0
    assert _stored_files(app) == before


def test_a_gif_is_refused_even_when_pillow_can_read_it(app):
    """Only JPEG, PNG and WebP are accepted."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    with app.test_request_context("/?lang=en"), pytest.raises(UploadRefused, match="Only JPEG, PNG and WebP"):
        process_image(out.getvalue())


def test_file_over_the_per_file_limit_is_refused(app, client, product):
    """A 9 MB upload (under the request limit) is refused by the picture limit, and nothing is saved."""
    before = _stored_files(app)
    response = _upload(client, product, b"\xff\xd8\xff" + b"0" * (MAX_UPLOAD_BYTES + 10))
    assert response.status_code == 422
    assert "larger than 8 MB" in response.get_data(as_text=True)
    assert _stored_files(app) == before


def test_a_50_mb_request_gets_the_file_too_large_page(app):
    """Above the app's MAX_CONTENT_LENGTH (20 MB) a 50 MB upload is refused with the 413 page, nothing read or saved."""
    before = _stored_files(app)
    response = app.test_client().post(
        "/manage/join?lang=en", data={"name": "x", "logo": (io.BytesIO(b"0" * (50 * 1024 * 1024)), "big.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)
    assert _stored_files(app) == before


def test_at_most_eight_pictures(app, client, product):
    """The ninth picture is refused with a message."""
    for _ in range(8):
        assert _upload(client, product, jpeg_with_exif()).status_code == 302
    before = _stored_files(app)
    response = _upload(client, product, jpeg_with_exif())
    assert response.status_code == 422
    assert "at most 8 pictures" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductImage)
                             .where(ProductImage.product_id == product.id)) == 8
    assert _stored_files(app) == before


def test_reorder_choose_main_and_delete_also_from_storage(client, product):
    """Pictures can be moved, one chosen as main, and a deleted picture's files are gone."""
    for _ in range(3):
        _upload(client, product, jpeg_with_exif())
    first, second, third = sorted(product.images, key=lambda image: image.position)
    client.post(f"/manage/products/{product.id}/images/{third.id}/main")
    db.session.expire_all()
    assert [image.id for image in product.images] == [third.id, first.id, second.id]
    client.post(f"/manage/products/{product.id}/images/{third.id}/down")
    db.session.expire_all()
    assert [image.id for image in product.images] == [first.id, third.id, second.id]
    keys = (second.storage_key, second.thumb_key)
    client.post(f"/manage/products/{product.id}/images/{second.id}/delete")
    db.session.expire_all()
    assert [image.id for image in product.images] == [first.id, third.id]
    assert [image.position for image in product.images] == [0, 1]
    assert not any(get_storage().exists(key) for key in keys)


def test_large_jpeg_is_stored_at_most_2000_pixels_wide(app):
    """A 12-megapixel photo is decoded scaled down and stored at 2000 px on its long side."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(out, "JPEG", quality=90)
    with app.test_request_context("/"):
        processed = process_image(out.getvalue())
    assert (processed.width, processed.height) == (2000, 1500)
    with Image.open(io.BytesIO(processed.data)) as stored:
        assert stored.size == (2000, 1500)
