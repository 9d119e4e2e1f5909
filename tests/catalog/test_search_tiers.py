"""Group words in a query rank that group first, as province words do; middling and broad searches read
their matches in tiers (the best tier first, the other one only when the first falls short) and list the
same products as the full ranking. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

import pytest

from marketplace.catalog import filtering, queries, search
from tests.factories import make_producer, make_product

TUYEN_QUANG, THAI_NGUYEN, HA_NOI = 8, 19, 1


def found(q: str, page: int = 1, page_size: int = 24) -> list[str]:
    filters = filtering.parse_filters({"q": q, "page": str(page)})
    return [card.name for card in queries.catalog_page(filters, page_size).products]


def suggested(client, q: str) -> list[str]:
    return [item["name"] for item in client.get("/search/suggest", query_string={"q": q}).get_json()["suggestions"]]


@pytest.fixture
def tea_shelf(app):
    thai_nguyen = make_producer("Hợp tác xã Chè Tân Cương", province_code=THAI_NGUYEN, slug="htx-tan-cuong")
    hanoi = make_producer("Hợp tác xã Gốm Bát Tràng", province_code=HA_NOI, slug="htx-bat-trang")
    return {
        # The tea set sells best and its name says "trà" twice: only the group word puts tea before it.
        "teapot": make_product("Ấm trà, khay trà Bát Tràng", producer=hanoi, group_code="4.1", sold_quantity=500,
                               slug="am-bat-trang"),
        "tea_tn": make_product("Trà xanh Tân Cương", producer=thai_nguyen, group_code="1.5", sold_quantity=3,
                               slug="tra-xanh-tan-cuong"),
        "tea_hn": make_product("Trà sen Tây Hồ", producer=hanoi, group_code="1.5", sold_quantity=40,
                               slug="tra-sen-tay-ho"),
        "sauce": make_product("Tương ớt Thái Nguyên", producer=thai_nguyen, group_code="1.4", sold_quantity=90,
                              slug="tuong-ot-thai-nguyen"),
    }


def test_a_group_word_is_read_from_the_query():
    terms = search.understand("Trà Thái Nguyên")
    assert terms.group == search.GroupWords(("tra",), "1.5")
    assert terms.place is not None and terms.place.province_code == THAI_NGUYEN
    assert terms.tokens == ("tra",)
    assert search.understand("nuoc mam phu quoc").group.group_code == "1.4"
    assert search.understand("bánh đa").group is None


@pytest.mark.parametrize("broad", [False, True], ids=["ranked", "tiered"])
def test_a_group_word_ranks_that_group_first(tea_shelf, monkeypatch, broad):
    if broad:
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
    names = found("tra")
    assert set(names[:2]) == {"Trà xanh Tân Cương", "Trà sen Tây Hồ"}
    assert names[2] == "Ấm trà, khay trà Bát Tràng"


@pytest.mark.parametrize("broad", [False, True], ids=["ranked", "tiered"])
def test_group_and_province_words_together(tea_shelf, monkeypatch, broad):
    """"tra thai nguyen": Thái Nguyên's tea first; tea from elsewhere is still listed."""
    if broad:
        monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
    names = found("tra thai nguyen")
    assert names[0] == "Trà xanh Tân Cương"
    assert "Trà sen Tây Hồ" in names and "Ấm trà, khay trà Bát Tràng" in names


def test_suggestions_put_the_group_first(tea_shelf, client):
    names = suggested(client, "tra")
    assert set(names[:2]) == {"Trà xanh Tân Cương", "Trà sen Tây Hồ"}
    assert suggested(client, "tra thai nguyen")[0] == "Trà xanh Tân Cương"


@pytest.fixture
def honey_shelf(app):
    """Honey from two provinces, every one named so, with one product that only mentions honey."""
    tuyen_quang = make_producer("Hợp tác xã Ong Hà Giang", province_code=TUYEN_QUANG, slug="htx-ong")
    hanoi = make_producer("Hợp tác xã Ong Ba Vì", province_code=HA_NOI, slug="htx-ba-vi")
    made = [make_product(f"Mật ong rừng số {n}", producer=tuyen_quang if n % 3 == 0 else hanoi, sold_quantity=n,
                         slug=f"mat-ong-{n}") for n in range(9)]
    made.append(make_product("Viên nghệ", producer=hanoi, sold_quantity=1000, slug="vien-nghe",
                             description="Nghệ viên với mật ong rừng."))
    return made


@pytest.mark.parametrize("walk", [100, 1], ids=["among-best-sellers", "tier-read-in-full"])
def test_a_middling_search_pages_through_every_match_once(honey_shelf, monkeypatch, walk):
    """Read in tiers, pages of 4: names holding the words first (best-selling first), then the product that
    only mentions them; every product once, the same set as the full ranking. Whether the best tier is
    found among the best-sellers or (too few there: the best-seller only mentions honey) read in full."""
    ranked = found("mat ong", page_size=24)
    monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
    monkeypatch.setattr(search, "WALK_ROWS_PER_RESULT", walk)
    pages = [found("mat ong", page=page, page_size=4) for page in (1, 2, 3)]
    assert pages[0] == [f"Mật ong rừng số {n}" for n in (8, 7, 6, 5)]
    assert pages[1] == [f"Mật ong rừng số {n}" for n in (4, 3, 2, 1)]
    assert pages[2] == ["Mật ong rừng số 0", "Viên nghệ"]
    assert sorted(sum(pages, [])) == sorted(ranked)


@pytest.mark.parametrize("walk", [100, 1], ids=["among-best-sellers", "tier-read-in-full"])
def test_a_province_tier_then_the_rest(honey_shelf, monkeypatch, walk):
    """"mat ong tuyen quang" read in tiers: Tuyên Quang's honey first, then every other honey product."""
    monkeypatch.setattr(queries, "BROAD_MATCHES", 0)
    monkeypatch.setattr(search, "WALK_ROWS_PER_RESULT", walk)
    names = found("mat ong tuyen quang")
    assert names[:3] == ["Mật ong rừng số 6", "Mật ong rừng số 3", "Mật ong rừng số 0"]
    assert sorted(names) == sorted(product.name for product in honey_shelf)
