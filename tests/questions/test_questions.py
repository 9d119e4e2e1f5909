"""Questions to a producer: asked from the product page by signed-in shoppers (rate-limited), answered once in
the producer's portal, public only once published, e-mailed to the asker, hidden for good by the office."""

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog.status import ProductStatus
from marketplace.extensions import db
from marketplace.questions import services
from marketplace.questions.models import Question, QuestionEvent
from marketplace.questions.status import TRANSITIONS, QuestionStatus, can_change
from tests.factories import make_producer, make_product, make_user


@pytest.fixture
def shop():
    producer = make_producer("HTX Nước mắm Cát Hải")
    product = make_product("Nước mắm Cát Hải", producer=producer, slug="nuoc-mam-cat-hai")
    return producer, product


def questions_of(product):
    return list(db.session.scalars(sa.select(Question).where(Question.product_id == product.id)))


def test_a_question_goes_to_the_producer_and_is_not_public_until_published(client, login_as, shop, outbox):
    """Asked from the product page; the producer sees it; answering privately e-mails the asker and shows nothing
    on the page; publishing later shows the pair."""
    producer, product = shop
    asker = make_user(full_name="Trần Thị Hỏi", email="hoi@example.test")
    login_as(asker)
    page = client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)
    assert 'action="/products/nuoc-mam-cat-hai/questions"' in page
    response = client.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Độ đạm bao nhiêu?"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/products/nuoc-mam-cat-hai#questions")
    [question] = questions_of(product)
    assert (question.status, question.asker_id, question.producer_id) == ("pending", asker.id, producer.id)
    assert "Độ đạm bao nhiêu?" not in client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)

    member = make_user(role=Role.PRODUCER, producer=producer)
    login_as(member)
    assert "Độ đạm bao nhiêu?" in client.get("/manage/questions").get_data(as_text=True)
    response = client.post(f"/manage/questions/{question.id}/answer", data={"answer": "35 độ đạm."})
    assert response.status_code == 302
    db.session.refresh(question)
    assert question.status == QuestionStatus.ANSWERED and question.answered_by_id == member.id
    [mail] = outbox.wait_for(1).to("hoi@example.test")
    text = mail.get_body(("plain",)).get_content()
    assert "35 độ đạm." in text and "Nước mắm Cát Hải" in mail["Subject"]
    html = client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)
    assert "Độ đạm bao nhiêu?" not in html and "35 độ đạm." not in html

    assert client.post(f"/manage/questions/{question.id}/publish").status_code == 302
    html = client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)
    assert "Độ đạm bao nhiêu?" in html and "35 độ đạm." in html and "Trần Thị Hỏi" in html
    assert client.post(f"/manage/questions/{question.id}/unpublish").status_code == 302
    assert "35 độ đạm." not in client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)


def test_answer_and_publish_at_once(client, login_as, shop):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Có giao Hà Nội không?")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    client.post(f"/manage/questions/{question.id}/answer", data={"answer": "Có, 2 ngày.", "publish": "y"})
    html = client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)
    assert "Có giao Hà Nội không?" in html and "Có, 2 ngày." in html


def test_the_asker_reads_their_own_answers_even_private_ones_and_nobody_elses(client, login_as, shop):
    producer, product = shop
    mine = services.ask_question(me := make_user(), product.id, "Câu hỏi của tôi")
    services.answer_question(mine, actor=None, body="Trả lời riêng", publish=False)
    services.ask_question(make_user(), product.id, "Câu hỏi của người khác")
    login_as(me)
    page = client.get("/questions").get_data(as_text=True)
    assert "Câu hỏi của tôi" in page and "Trả lời riêng" in page and "Câu hỏi của người khác" not in page


def test_answering_twice_is_refused(client, login_as, shop):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Câu hỏi thử")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    client.post(f"/manage/questions/{question.id}/answer", data={"answer": "Lần một"})
    again = client.post(f"/manage/questions/{question.id}/answer", data={"answer": "Lần hai"})
    assert again.status_code == 400
    db.session.refresh(question)
    assert question.answer_body == "Lần một"


def test_an_empty_answer_is_refused_and_nothing_changes(client, login_as, shop, outbox):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Câu hỏi thử")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post(f"/manage/questions/{question.id}/answer", data={"answer": "  ", "publish": "y"})
    assert response.status_code == 400 and "Vui lòng nhập câu trả lời." in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.status == QuestionStatus.PENDING and question.answer_body is None
    assert outbox.messages == [] if hasattr(outbox, "messages") else True


def test_other_producers_and_admins_cannot_answer(client, login_as, shop):
    _producer, product = shop
    question = services.ask_question(make_user(), product.id, "Câu hỏi riêng của shop")
    other = login_as(make_user(role=Role.PRODUCER, producer=make_producer()))
    assert "Câu hỏi riêng của shop" not in other.get("/manage/questions").get_data(as_text=True)
    assert other.post(f"/manage/questions/{question.id}/answer", data={"answer": "x"}).status_code == 404
    assert other.post(f"/manage/questions/{question.id}/publish").status_code == 404
    admin = login_as(make_user(role=Role.ADMIN))
    assert admin.post(f"/manage/questions/{question.id}/answer", data={"answer": "x"}).status_code == 403
    db.session.refresh(question)
    assert question.status == QuestionStatus.PENDING


def test_publishing_a_pending_question_is_refused(client, login_as, shop):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Chưa trả lời")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    for action, message in (("unpublish", "Câu hỏi này không hiện trên trang sản phẩm."),
                            ("publish", "Chỉ câu hỏi đã trả lời")):
        response = client.post(f"/manage/questions/{question.id}/{action}", follow_redirects=True)
        assert message in response.get_data(as_text=True)
        db.session.refresh(question)
        assert question.status == QuestionStatus.PENDING


@pytest.mark.parametrize("body, message", [("", "ít nhất 5 ký tự"), ("Hả?", "ít nhất 5 ký tự"),
                                           ("x" * 1001, "tối đa 1000 ký tự")])
def test_bad_questions_are_refused_with_the_text_kept(client, login_as, shop, body, message):
    _producer, product = shop
    login_as(make_user())
    response = client.post("/products/nuoc-mam-cat-hai/questions", data={"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    if body:
        assert body[:50] in html
    assert questions_of(product) == []


def test_guests_cannot_ask(client, shop):
    _producer, product = shop
    response = client.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Câu hỏi của khách"})
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    assert questions_of(product) == []
    assert "Đăng nhập để hỏi chủ thể" in client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)


def test_no_question_about_a_product_that_is_not_public(client, login_as, shop):
    _producer, product = shop
    product.status = ProductStatus.ARCHIVED
    db.session.flush()
    login_as(make_user())
    assert client.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Còn bán không?"}).status_code == 404
    assert questions_of(product) == []


def test_a_producer_does_not_ask_itself(client, login_as, shop):
    producer, product = shop
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    response = client.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Tự hỏi mình"})
    assert response.status_code == 400 and questions_of(product) == []


def test_asking_is_rate_limited_per_user(client, login_as, shop, app):
    """Past the limit the shopper gets 429 and nothing more is stored; another shopper is not affected."""
    _producer, product = shop
    previous = app.config.get("QUESTIONS_RATE_LIMIT")
    app.config["QUESTIONS_RATE_LIMIT"] = "2/hour"
    try:
        login_as(make_user())
        for n in range(2):
            assert client.post("/products/nuoc-mam-cat-hai/questions", data={"body": f"Câu hỏi số {n}"}).status_code == 302
        assert client.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Câu hỏi số 3"}).status_code == 429
        assert len(questions_of(product)) == 2
        other = login_as(make_user(), app.test_client())
        assert other.post("/products/nuoc-mam-cat-hai/questions", data={"body": "Người khác hỏi"}).status_code == 302
    finally:
        if previous is None:
            app.config.pop("QUESTIONS_RATE_LIMIT", None)
        else:
            app.config["QUESTIONS_RATE_LIMIT"] = previous


def test_admins_hide_a_question_for_good_with_a_reason(client, login_as, shop):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Quảng cáo linh tinh ở đây")
    services.answer_question(question, actor=None, body="Đã trả lời", publish=True)
    admin = make_user(role=Role.ADMIN)
    login_as(admin)
    empty = client.post(f"/admin/questions/{question.id}", data={"reason": ""})
    assert empty.status_code == 400 and "Vui lòng nêu lý do ẩn câu hỏi." in empty.get_data(as_text=True)
    assert client.post(f"/admin/questions/{question.id}", data={"reason": "Quảng cáo"}).status_code == 302
    db.session.refresh(question)
    assert question.status == QuestionStatus.HIDDEN
    event = db.session.scalars(sa.select(QuestionEvent).where(QuestionEvent.question_id == question.id)
                               .order_by(QuestionEvent.id.desc())).first()
    assert (event.to_status, event.actor_id, event.reason) == ("hidden", admin.id, "Quảng cáo")
    assert "Quảng cáo linh tinh ở đây" not in client.get("/products/nuoc-mam-cat-hai").get_data(as_text=True)
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    assert client.post(f"/manage/questions/{question.id}/publish").status_code == 302
    db.session.refresh(question)
    assert question.status == QuestionStatus.HIDDEN


def test_only_admins_moderate_questions(client, login_as, shop):
    producer, product = shop
    question = services.ask_question(make_user(), product.id, "Câu hỏi thử")
    login_as(make_user(role=Role.PRODUCER, producer=producer))
    assert client.post(f"/admin/questions/{question.id}", data={"reason": "x"}).status_code == 403


@pytest.mark.parametrize("current", list(QuestionStatus))
@pytest.mark.parametrize("new", list(QuestionStatus))
def test_the_transition_table(current, new):
    """Pending -> answered/published/hidden; answered <-> published; anything -> hidden; hidden is final."""
    expected = {("pending", "answered"), ("pending", "published"), ("pending", "hidden"), ("answered", "published"),
                ("answered", "hidden"), ("published", "answered"), ("published", "hidden")}
    assert can_change(current, new) == ((current.value, new.value) in expected)
    assert can_change(current, new) == (new in TRANSITIONS[current])
