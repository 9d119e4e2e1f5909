"""The pictures screen of a listing: upload, reorder, choose the main picture, delete."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from marketplace.accounts.policies import roles_required
from marketplace.catalog import product_images as pictures
from marketplace.catalog.forms import ImageForm
from marketplace.catalog.policies import LISTING_ROLES
from marketplace.catalog.views_manage.common import query_producer, read_upload, upload_page_status
from marketplace.catalog.views_manage.loaders import get_product, get_product_image
from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.images import UploadRefused
from marketplace.producers.forms import ConfirmForm


@roles_required(*LISTING_ROLES)
def product_images(product_id: int):
    """Upload, reorder, choose the main picture and delete pictures."""
    product = get_product(product_id)
    form = ImageForm()
    if form.validate_on_submit():
        data = read_upload("image")
        try:
            if not data:
                raise UploadRefused(_("Choose a picture to upload."))
            with db.session.begin_nested():
                pictures.add_product_image(product, data, alt=form.alt.data or "")
        except DomainError as error:
            form.image.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Picture added."), "success")
            return redirect(url_for(".product_images", product_id=product.id))
    return render_template("catalog/manage/product_images.html", product=product, producer=product.producer,
                           form=form, action_form=ConfirmForm(), max_images=pictures.MAX_IMAGES,
                           extra=query_producer(product.producer)), upload_page_status()


@roles_required(*LISTING_ROLES)
def product_image_action(product_id: int, image_id: int, action: str):
    """Move a picture up or down, make it the main picture, or delete it."""
    product = get_product(product_id)
    image = get_product_image(product, image_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    deleted: list[str] = []
    if action == "up":
        pictures.move_product_image(image, -1)
    elif action == "down":
        pictures.move_product_image(image, 1)
    elif action == "main":
        pictures.make_main_image(image)
    elif action == "delete":
        deleted = pictures.delete_product_image(image)
    else:
        abort(404)
    db.session.commit()
    pictures.delete_stored(deleted)
    flash(_("Picture deleted.") if deleted else _("Order of pictures saved."), "success")
    return redirect(url_for(".product_images", product_id=product.id))
