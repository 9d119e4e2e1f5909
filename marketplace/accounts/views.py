"""Sign up, log in and out, reset and change passwords, and the account page."""

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from marketplace import mail
from marketplace.accounts import services
from marketplace.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
    SignupPasswordForm,
)
from marketplace.accounts.models import Role
from marketplace.accounts.policies import can_manage_producer, is_admin, login_required, safe_next
from marketplace.extensions import db, limiter
from marketplace.i18n import current_language
from marketplace.text import fold
from marketplace.urls import external_url

bp = Blueprint("accounts", __name__)

#: Session keys that survive the fresh session issued at login (the guest cart, merged by orders).
KEPT_AT_LOGIN = ("cart",)

ROLE_LABELS = {
    Role.CONSUMER: _l("Customer"),
    Role.PRODUCER: _l("Producer member"),
    Role.SHOWROOM_STAFF: _l("Showroom staff"),
    Role.ADMIN: _l("Administrator"),
}


#: Set after a successful login: this browser has signed in to these accounts before (see known_browser).
KNOWN_BROWSER_COOKIE = "known_browser"
KNOWN_BROWSER_DAYS = 365


def _typed_email() -> str:
    """The e-mail typed in the form, folded, so case and accents do not make a new rate-limit bucket."""
    return fold(services.normalise_email(request.form.get("email", "")))[:254]


def _email_rate_key() -> str:
    """Rate-limit bucket per account, whatever the address."""
    return "email:" + _typed_email()


def _email_and_address_rate_key() -> str:
    """Rate-limit bucket per (account, client address) pair."""
    return f"email+address:{_typed_email()}|{get_remote_address()}"


def known_browser() -> bool:
    """True when this browser signed in to the account being tried before (a cookie holds a keyed digest of
    each such account): the owner's own browser is not subject to the per-account limit."""
    return services.is_known_browser(request.cookies.get(KNOWN_BROWSER_COOKIE, ""), request.form.get("email", ""),
                                      current_app.config["SECRET_KEY"])


def _failed_login(response) -> bool:
    """A login attempt that did not sign in (a success redirects)."""
    return response.status_code != 302


def _config_limit(name: str, default: str):
    return lambda: current_app.config.get(name, default)


bp.add_app_template_global(services.PASSWORD_MIN_LENGTH, "password_min_length")

#: Any account, from one address (guessing many accounts; sign-up and reset floods).
limit_per_address = limiter.limit(_config_limit("ACCOUNTS_RATE_LIMIT_PER_ADDRESS", "10/minute"),
                                  key_func=get_remote_address, methods=["POST"])
#: One account from one address: guessing one password.
limit_per_email_and_address = limiter.limit(
    _config_limit("ACCOUNTS_RATE_LIMIT_PER_EMAIL_AND_ADDRESS", "5/minute"),
    key_func=_email_and_address_rate_key, methods=["POST"])
#: One account from every address, failed attempts only, slower; the owner's known browser is exempt, so
#: a stranger elsewhere cannot lock the owner out by failing on purpose.
limit_per_email_from_new_browsers = limiter.limit(
    _config_limit("ACCOUNTS_RATE_LIMIT_PER_EMAIL", "20/hour"), key_func=_email_rate_key, methods=["POST"],
    exempt_when=known_browser, deduct_when=_failed_login)
#: Reset mails to one account, from every address: no mail bombing.
limit_resets_per_email = limiter.limit(_config_limit("ACCOUNTS_RATE_LIMIT_RESETS_PER_EMAIL", "5/minute"),
                                       key_func=_email_rate_key, methods=["POST"])


@bp.before_app_request
def forget_cached_user() -> None:
    """Load the user afresh for every request, even when an outer app context (tests, CLI) is reused."""
    g.pop("_login_user", None)


@bp.app_template_global()
def has_endpoint(name: str) -> bool:
    """True when the app has a view with this endpoint name (optional menus link only to what exists)."""
    return name in current_app.view_functions


@bp.app_template_global()
def account_menu_links() -> list[tuple[str, str]]:
    """(label, url) of the back-office pages the current user may open, decided by the policies."""
    links = []
    user = current_user
    if not user.is_authenticated:
        return links
    if user.role == Role.PRODUCER and can_manage_producer(user, user.producer_id) and has_endpoint(
            "producers_manage.dashboard"):
        links.append((_("My shop"), url_for("producers_manage.dashboard")))
    if is_admin(user) and has_endpoint("admin.index"):
        links.append((_("Administration"), url_for("admin.index")))
    return links


def start_session(user, *, remember: bool = False) -> None:
    """Log the user in on a brand-new session (against session fixation), keeping the guest cart."""
    kept = {key: session[key] for key in KEPT_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(user, remember=remember)
    services.record_login(user)


def _next_from_request(form_next: str | None = None) -> str:
    return safe_next(form_next or request.args.get("next"))


@bp.route("/signup", methods=["GET", "POST"])
@limit_per_address
def signup():
    """Ask for an account: a link to finish it goes to the address, or a notice if it already has one.

    The answer is the same either way, so the form never tells anyone which addresses have accounts.
    """
    if current_user.is_authenticated:
        return redirect(_next_from_request())
    form = SignupForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        existing = services.find_user_by_email(form.email.data)
        # A guest account (made when the address bought without an account) is finished like a new one.
        if existing is not None and not existing.is_guest:
            mail.queue_mail(existing.email, _l("Someone tried to sign up with your e-mail address"),
                            "account_exists", language=existing.preferred_language, user=existing,
                            login_url=external_url("accounts.login"),
                            reset_url=external_url("accounts.password_reset_request"))
        else:
            token = services.make_signup_token(form.full_name.data, form.email.data, current_language(),
                                               current_app.config["SECRET_KEY"], safe_next(form.next.data))
            mail.queue_mail(form.email.data, _l("Finish creating your OCOP Market account"), "signup_confirm",
                            language=current_language(), full_name=form.full_name.data,
                            confirm_url=external_url("accounts.signup_finish", token=token),
                            hours=services.SIGNUP_TOKEN_MAX_AGE_SECONDS // 3600)
        db.session.commit()
        flash(_("We have sent a message to %(email)s. Follow the link in it to finish creating your account.",
                email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/signup.html", form=form)


@bp.route("/signup/<token>", methods=["GET", "POST"])
@limit_per_address
def signup_finish(token: str):
    """The e-mailed link: choose a password; the consumer account is created and signed in."""
    try:
        details = services.signup_from_token(token, current_app.config["SECRET_KEY"])
    except services.InvalidSignupToken as error:
        flash(_("This sign-up link has expired. Sign up again.") if error.details.get("reason") == "expired"
              else _("This sign-up link is not valid. Sign up again."), "error")
        return redirect(url_for("accounts.signup"))
    existing = services.find_user_by_email(details["email"])
    if existing is not None and not existing.is_guest:
        flash(_("This account is already created. Log in."), "info")
        return redirect(url_for("accounts.login"))
    form = SignupPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(details["name"], details["email"], form.password.data,
                                          language=details["lang"])
        except services.EmailTaken:
            flash(_("This account is already created. Log in."), "info")
            return redirect(url_for("accounts.login"))
        start_session(user)
        mail.queue_mail(user.email, _l("Welcome to OCOP Market"), "welcome", language=user.preferred_language,
                        user=user, shop_url=external_url("catalog.product_list"))
        db.session.commit()
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
        return redirect(safe_next(details.get("next")))
    response = make_response(render_template("accounts/signup_finish.html", form=form, token=token,
                                             details=details))
    # The token is in this page's URL: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limit_per_address
@limit_per_email_and_address
@limit_per_email_from_new_browsers
def login():
    """Log in with e-mail and password; go back to the same-site page asked for (?next=)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_next_from_request())
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=user.full_name), "success")
            response = redirect(_next_from_request(form.next.data))
            _remember_browser(response, user)
            return response
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("accounts/login.html", form=form)


def _remember_browser(response, user) -> None:
    """Add the account to this browser's known_browser cookie (kept only for the account pages)."""
    value = services.add_known_browser(request.cookies.get(KNOWN_BROWSER_COOKIE, ""), user.email,
                                       current_app.config["SECRET_KEY"])
    response.set_cookie(KNOWN_BROWSER_COOKIE, value, max_age=KNOWN_BROWSER_DAYS * 24 * 3600, path="/accounts",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


@bp.post("/logout")
def logout():
    """Log out everywhere this session is known: the session token rotates, then the session is cleared."""
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(_("Your session expired. Please try again."), "error")
        return redirect(url_for("catalog.home"))
    if current_user.is_authenticated:
        services.rotate_session_token(current_user._get_current_object())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember cookie for deletion
    flash(_("You have been logged out."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limit_per_address
@limit_resets_per_email
def password_reset_request():
    """Ask for a reset link by e-mail (the answer is the same whether or not the account exists)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            token = services.make_reset_token(user, current_app.config["SECRET_KEY"])
            mail.queue_mail(user.email, _l("Reset your password"), "password_reset", language=user.preferred_language,
                            user=user, reset_url=external_url("accounts.password_reset", token=token),
                            minutes=services.RESET_TOKEN_MAX_AGE_SECONDS // 60)
        db.session.commit()
        flash(_("If an account exists for %(email)s, we have sent it a link to choose a new password. "
                "The link works for one hour.", email=form.email.data), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/password_reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limit_per_address
def password_reset(token: str):
    """Choose a new password from an e-mailed link (works once, for one hour)."""
    try:
        user = services.user_for_reset_token(token, current_app.config["SECRET_KEY"])
    except services.InvalidResetToken as error:
        messages = {
            "expired": _("This reset link has expired. Ask for a new one below."),
            "used": _("This reset link was already used. Ask for a new one below if you need it."),
        }
        flash(messages.get(error.details.get("reason"), _("This reset link is not valid. Ask for a new one below.")),
              "error")
        return redirect(url_for("accounts.password_reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        session.clear()
        logout_user()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    response = make_response(render_template("accounts/password_reset.html", form=form, token=token))
    # The token is in this page's URL: never hand it to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password_change():
    """Change the password (the current one is required); other sessions are signed out, this one stays."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.password.data)
        except services.WrongPassword:
            form.current_password.errors.append(_("The current password is not correct."))
        else:
            had_remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            start_session(user, remember=had_remember_cookie)
            mail.queue_mail(user.email, _l("Your password was changed"), "password_changed",
                            language=user.preferred_language, user=user,
                            reset_request_url=external_url("accounts.password_reset_request"))
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password_change.html", form=form)


@bp.get("/")
@login_required
def account():
    """The signed-in user's name, e-mail and role."""
    user = current_user._get_current_object()
    return render_template("accounts/account.html", user=user, role_label=ROLE_LABELS[user.role])
