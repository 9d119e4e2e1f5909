"""What the listing screens share: reading an upload, showing service errors on a form, staff URL arguments."""

from flask import flash, request
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.images import MAX_UPLOAD_BYTES
from marketplace.producers.models import Producer


def read_upload(field_name: str) -> bytes:
    """The uploaded file's bytes (empty when none was sent), never more than one byte over the limit."""
    upload = request.files.get(field_name)
    if upload is None or not upload.filename:
        return b""
    # One byte over the limit is enough to refuse; never read more.
    return upload.stream.read(MAX_UPLOAD_BYTES + 1)


def show_errors(form, errors: dict[str, str]) -> None:
    """Attach a service's field errors to the form's fields (flashed when the form has no such field)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            flash(message, "error")


def upload_page_status() -> int:
    """The status of an upload page: shown again after a POST, the upload was refused (422); else 200."""
    return 422 if request.method == "POST" else 200


def query_producer(producer: Producer) -> dict:
    """Extra URL arguments for staff working on a producer's behalf."""
    return {} if current_user.role == Role.PRODUCER else {"producer": producer.id}
