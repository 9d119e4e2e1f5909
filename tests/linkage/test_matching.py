"""Matching: which producers a request lists and in what order (linkage.matching.rank_candidates)."""

from marketplace.accounts.models import Role
from marketplace.catalog.status import ProductStatus
from marketplace.linkage import queries
from marketplace.linkage.matching import (
    MAX_DETAIL_WORDS,
    Candidate,
    detail_words,
    find_candidates,
    rank_candidates,
    ranked_producers,
    request_words,
)
from tests.factories import make_producer, make_product, make_user
from tests.linkage.sample import post

HANOI, HUNG_YEN, AN_GIANG = 1, 33, 91


def _candidate(producer_id, *, group=2, words=2, stock=100, stars=4, distance=2):
    return Candidate(producer_id=producer_id, group_match=group, words_matched=words, words_total=2,
                     stock_quantity=stock, star_level=stars, distance_tier=distance)


def test_each_criterion_decides_only_between_equals_on_the_earlier_ones():
    """Group beats words, words beat stock, enough stock beats stars, stars beat distance, then more stock, then id."""
    ranked = rank_candidates([
        _candidate(1, group=1, words=2, stars=5, distance=0),   # only the same sector: after every group match
        _candidate(2, words=1, stars=5, distance=0),            # fewer words
        _candidate(3, stock=10, stars=5, distance=0),           # not enough stock for 50
        _candidate(4, stars=3, distance=0),                     # fewer stars
        _candidate(5, stars=4, distance=2),                     # far
        _candidate(6, stars=4, distance=1),                     # neighbouring province
        _candidate(7, stars=4, distance=0),                     # the delivery province
        _candidate(8, stars=4, distance=0, stock=500),          # same, more stock
        _candidate(9, group=0, words=2, stars=5, distance=0),   # words only
    ], quantity_wanted=50)
    assert [c.producer_id for c in ranked] == [8, 7, 6, 5, 4, 3, 2, 1, 9]


def test_request_words_leave_out_quantities_and_units():
    """'Cần mua 200 kg gạo ST25' looks for gạo and ST25, not for the words of any order."""
    assert request_words("Cần mua 200 kg gạo ST25") == ["gao", "st25"]


def _fish_sauce_market():
    """Producers of a fixture: who makes what, where, with how many stars and how much stock."""
    made = {}
    made["A"] = make_product("Tương Cự Đà", producer=make_producer("A", province_code=HANOI), group_code="1.4",
                             stars=4, stock=500).producer
    made["B"] = make_product("Nước mắm Phú Quốc 40 độ đạm", producer=make_producer("B", province_code=AN_GIANG),
                             group_code="1.4", stars=5, stock=500).producer
    made["C"] = make_product("Nước mắm Phú Quốc cốt nhĩ", producer=make_producer("C", province_code=HUNG_YEN),
                             group_code="1.4", stars=5, stock=500).producer
    made["D"] = make_product("Nước mắm Phú Quốc truyền thống", producer=make_producer("D", province_code=HANOI),
                             group_code="1.4", stars=4, stock=500).producer
    made["E"] = make_product("Nước mắm Phú Quốc loại 1", producer=make_producer("E", province_code=HANOI),
                             group_code="1.4", stars=5, stock=20).producer
    made["F"] = make_product("Nước mắm chay nấm hương", producer=make_producer("F", province_code=HANOI),
                             group_code="1.3", stars=5, stock=500).producer
    made["H"] = make_product("Rượu sim Phú Quốc", producer=make_producer("H", province_code=HANOI),
                             group_code="2.1", stars=5, stock=500).producer
    # Never listed: an unverified producer, a draft product, a product in another group matching no word.
    make_product("Nước mắm Phú Quốc chưa duyệt", producer=make_producer("G", verified=False), group_code="1.4")
    make_product("Nước mắm Phú Quốc nháp", producer=make_producer("X"), group_code="1.4", status=ProductStatus.DRAFT)
    make_product("Chè Shan tuyết", producer=make_producer("Y"), group_code="1.5")
    return made


def test_producers_are_ranked_as_described_on_a_fixture():
    """'Nước mắm Phú Quốc', group 1.4, 100 units to Hà Nội: 5-star with stock first (the neighbour of Hà Nội
    before the far one), then 4 stars, then short of stock, then the group's producer matching no word, then the
    same sector, then another sector; unverified, draft and unrelated producers are not listed."""
    made = _fish_sauce_market()
    ranked = ranked_producers(title="Nước mắm Phú Quốc", group_code="1.4", delivery_province_code=HANOI,
                              quantity_wanted=100)
    names = {producer.id: key for key, producer in made.items()}
    assert [names.get(c.producer_id, "?") for c in ranked] == ["C", "B", "D", "E", "A", "F", "H"]
    facts = {names[c.producer_id]: c for c in ranked}
    assert (facts["C"].group_match, facts["C"].words_matched, facts["C"].words_total) == (2, 4, 4)
    assert (facts["C"].distance_tier, facts["B"].distance_tier, facts["D"].distance_tier) == (1, 2, 0)
    assert facts["A"].words_matched == 0 and facts["F"].group_match == 1 and facts["H"].group_match == 0
    assert facts["E"].stock_quantity == 20 and facts["C"].star_level == 5


def test_accents_and_case_do_not_change_the_match():
    """The same search as the catalogue: 'NUOC MAM phu quoc' finds what 'Nước mắm Phú Quốc' finds."""
    _fish_sauce_market()
    typed = find_candidates(title="NUOC MAM phu quoc", group_code="1.4", delivery_province_code=HANOI)
    accented = find_candidates(title="Nước mắm Phú Quốc", group_code="1.4", delivery_province_code=HANOI)
    assert sorted(typed, key=lambda c: c.producer_id) == sorted(accented, key=lambda c: c.producer_id)


def test_a_posted_request_keeps_its_ranked_matches_and_tells_them(outbox, db_session):
    """Posting stores the ranking (rank 1 = best) and e-mails each matched producer's members after the commit."""
    made = _fish_sauce_market()
    member = make_user("thanh@hoptacxa-c.example", role=Role.PRODUCER, producer=made["C"])
    demand = post(title="Nước mắm Phú Quốc", details="", group_code="1.4", quantity="100", delivery_province_code="1")
    db_session.commit()
    matches = queries.request_by_id(demand.id).matches
    assert [m.producer_id for m in matches][:2] == [made["C"].id, made["B"].id]
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))
    mail = outbox.wait_for(1).to(member.email)
    assert mail and "Nước mắm Phú Quốc" in mail[0]["Subject"]
    assert f"/demand/{demand.id}" in mail[0].get_body(("plain",)).get_content()


def test_details_words_count_after_the_titles():
    """The details add the words that say what and are not in the title (sentence words left out)."""
    assert detail_words("Can 5 lít, đạm 40 độ trở lên. Nước mắm truyền thống, không pha.", ["nuoc", "mam"]) == [
        "dam", "do", "truyen", "thong", "pha"]
    assert len(detail_words(" ".join(f"tu{n}" for n in range(20)), [])) == MAX_DETAIL_WORDS


def test_the_details_change_the_ranking():
    """'Nước mắm' alone: the 5-star Hưng Yên producer (neighbour of Hà Nội) before the An Giang one; with
    'đạm 40 độ' in the details, the An Giang one's '40 độ đạm' matches more words and comes first."""
    made = _fish_sauce_market()
    names = {producer.id: key for key, producer in made.items()}

    def ranking(details):
        return [names.get(c.producer_id, "?") for c in ranked_producers(
            title="Nước mắm", details=details, group_code="1.4", delivery_province_code=HANOI, quantity_wanted=100)]

    assert ranking("")[:2] == ["C", "B"]
    with_details = ranked_producers(title="Nước mắm", details="Loại đạm 40 độ trở lên.", group_code="1.4",
                                    delivery_province_code=HANOI, quantity_wanted=100)
    assert [names[c.producer_id] for c in with_details][:2] == ["B", "C"]
    assert (with_details[0].words_matched, with_details[0].words_total) == (4, 4)


def test_a_product_outside_the_group_is_listed_by_two_words_of_the_details():
    """Rượu sim Phú Quốc (group 2.1) is listed when the details say 'đảo Phú Quốc' (two words), not when they
    say only 'Phú' (one word could be a coincidence)."""
    made = _fish_sauce_market()
    two = find_candidates(title="Nước mắm", details="Hàng đảo Phú Quốc", group_code="1.4",
                          delivery_province_code=HANOI)
    assert made["H"].id in {c.producer_id for c in two}
    one = find_candidates(title="Nước mắm", details="Hàng Phú", group_code="1.4", delivery_province_code=HANOI)
    assert made["H"].id not in {c.producer_id for c in one}


def test_a_posted_request_is_matched_on_its_details(db_session):
    """Posting reads the details too: the stored match counts their words."""
    made = _fish_sauce_market()
    demand = post(title="Nước mắm", details="Đạm 40 độ, can 5 lít.", group_code="1.4", quantity="100",
                  delivery_province_code="1")
    db_session.commit()
    matches = queries.request_by_id(demand.id).matches
    assert matches[0].producer_id == made["B"].id
    assert (matches[0].words_matched, matches[0].words_total) == (4, 4)
