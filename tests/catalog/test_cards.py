"""Product cards: one plain row per product with its main picture and the units online, read in one query."""

from marketplace.catalog import queries
from marketplace.catalog.models import ProductImage
from marketplace.extensions import db
from marketplace.stock import services as stock_services
from marketplace.stock.models import Location, LocationKind
from tests.factories import make_producer, make_product


def add_image(product, position, name):
    image = ProductImage(product_id=product.id, position=position, storage_key=f"products/{name}.webp",
                         thumb_key=f"products/{name}_thumb.webp", width=800, height=600, alt=f"Ảnh {name}")
    db.session.add(image)
    db.session.flush()
    return image


def test_card_shows_the_main_picture_and_its_alt_text(client):
    """The picture at position 0 is the card's, whatever order the pictures were added in."""
    product = make_product("Mắm tôm Ba Làng", slug="mam-tom-ba-lang", group_code="1.4")
    add_image(product, 1, "second")
    add_image(product, 0, "main")
    html = client.get("/products?group=1.4").get_data(as_text=True)
    assert "products/main_thumb.webp" in html and 'alt="Ảnh main"' in html
    assert "products/second_thumb.webp" not in html


def test_card_without_a_picture_shows_the_initial(client):
    make_product("Trà shan tuyết", group_code="1.5")
    html = client.get("/products?group=1.5").get_data(as_text=True)
    assert 'data-initial="T"' in html


def test_cards_count_only_warehouse_units_as_available_online(client):
    """Units consigned to a showroom are not for sale online: a product with only those is out of stock."""
    producer = make_producer()
    product = make_product("Bánh cáy Làng Nguyễn", producer=producer, stock=0, group_code="1.2")
    showroom = Location(kind=LocationKind.SHOWROOM, name="Showroom OCOP Hà Nội", province_code=1)
    db.session.add(showroom)
    db.session.flush()
    stock_services.receive(product.id, showroom.id, 12, reason="consigned")
    [card] = queries.cards([product.id])
    assert card.available == 0 and not card.in_stock
    assert "Out of stock" in client.get("/products?group=1.2&lang=en").get_data(as_text=True)

    stock_services.receive(product.id, stock_services.warehouse_for(producer).id, 3, reason="made")
    [card] = queries.cards([product.id])
    assert card.available == 3 == stock_services.available_online([product.id])[product.id]
    assert "Out of stock" not in client.get("/products?group=1.2&lang=en").get_data(as_text=True)


def test_cards_keep_the_order_asked_for_and_drop_products_no_longer_public(client):
    first, second = make_product("Sản phẩm A"), make_product("Sản phẩm B")
    hidden = make_product("Sản phẩm ẩn", producer=make_producer(verified=False))
    assert [card.name for card in queries.cards([second.id, hidden.id, first.id])] == ["Sản phẩm B", "Sản phẩm A"]


def test_a_page_of_cards_costs_the_same_queries_for_one_or_many_products(client, query_counter):
    """Ids, then cards with picture and stock: no query per card."""
    make_product("Gạo ST25 số 0", group_code="1.1")
    one = query_counter.of_page(client, "/products?group=1.1&sort=newest")
    for n in range(1, 12):
        add_image(make_product(f"Gạo ST25 số {n}", group_code="1.1"), 0, f"rice-{n}")
    assert query_counter.of_page(client, "/products?group=1.1&sort=newest") == one
