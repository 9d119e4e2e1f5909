"""Questions for shoppers: asking the producer from a product page (signed in, rate-limited), the asker's own
questions and answers, and the published pairs a product page shows (a template global)."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from marketplace.accounts.policies import login_required
from marketplace.catalog import filtering
from marketplace.catalog.listing import public_clause
from marketplace.catalog.models import Product
from marketplace.errors import DomainError
from marketplace.extensions import db, limiter
from marketplace.pagination import page_count, paginate
from marketplace.questions import services
from marketplace.questions.forms import QuestionForm
from marketplace.questions.labels import question_status_label

bp = Blueprint("questions", __name__)

PAGE_SIZE = 20


def _asker_key() -> str:
    """One rate-limit bucket per signed-in user (per address for the guests the login page turns away)."""
    if current_user.is_authenticated:
        return f"question-asker:{current_user.id}"
    return f"question-address:{get_remote_address()}"


#: Questions one shopper may send: a few an hour, more a day (QUESTIONS_RATE_LIMIT).
limit_questions = limiter.limit(lambda: current_app.config.get("QUESTIONS_RATE_LIMIT", "5/hour;20/day"),
                                key_func=_asker_key, methods=["POST"])


@bp.app_template_global()
def product_questions(product_id: int) -> list:
    """The published question-and-answer pairs of a product, for its page."""
    return services.published_questions(product_id)


@bp.app_template_global()
def question_label() -> str:
    """The question box's label (the form's own), without building a form: the box is on every product page."""
    return str(QuestionForm.body.args[0])


def _public_product(slug: str) -> Product:
    if not filtering.is_plausible_slug(slug):
        abort(404)
    product = db.session.scalar(sa.select(Product).join(Product.producer).options(contains_eager(Product.producer))
                                .where(Product.slug == slug, public_clause()))
    if product is None:
        abort(404)
    return product


@bp.route("/products/<slug>/questions", methods=["GET", "POST"])
@limit_questions
@login_required
def ask(slug: str):
    """Ask the producer about a product: the form (also on the product page) and its submission."""
    product = _public_product(slug)
    form = QuestionForm()
    if request.method == "GET":
        return render_template("questions/ask.html", product=product, form=form)
    if not form.validate_on_submit():
        return render_template("questions/ask.html", product=product, form=form), 400
    try:
        services.ask_question(current_user, product.id, form.body.data)
    except DomainError as error:
        form.body.errors = [error.message]
        return render_template("questions/ask.html", product=product, form=form), 400
    db.session.commit()
    flash(_("Your question was sent to the producer. You will get an e-mail when it is answered."), "success")
    return redirect(url_for("catalog.product_detail", slug=product.slug, _anchor="questions"))


@bp.get("/questions")
@login_required
def my_questions():
    """The questions the user asked, with their answers (public or kept private by the producer)."""
    result = paginate(services.questions_of(current_user), PAGE_SIZE)
    return render_template("questions/my_questions.html", questions=result.items, page=result.page,
                           pages=page_count(result), question_status_label=question_status_label)
