"""Load a synthetic OCOP catalogue (20,000 products from 2,000 producers by default) for benchmarks.

    DATABASE_URL=... .venv/bin/flask --app wsgi db upgrade heads
    DATABASE_URL=... .venv/bin/python bench/load_synthetic.py [--products 20000] [--producers 2000] [--seed 7]

No ORM objects: on PostgreSQL the rows go in through COPY (psycopg's cursor.copy, each value passed through
its column type's own bind processor, so enums are stored as the app stores them); on SQLite through Core
executemany inserts. The search columns are filled by the app's own
catalog.services.index_product, so search behaves as on real data; on SQLite the FTS5 table fills by
its triggers. About 92 % of the products are public: the rest are drafts, have an expired certificate
or belong to an unverified producer, so the listing rule has real work to do. Refuses a database that
already holds producers. Ends with VACUUM ANALYZE (ANALYZE on SQLite).
"""

import argparse
import random
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace import create_app, geo, old_provinces  # noqa: E402
from marketplace.catalog import categories  # noqa: E402
from marketplace.catalog.models import (  # noqa: E402
    Certificate,
    CertificateStatus,
    EvaluationKind,
    IssuingLevel,
    Product,
    ProductStatus,
)
from marketplace.catalog.services import default_valid_until, index_product  # noqa: E402
from marketplace.extensions import db  # noqa: E402
from marketplace.producers.models import Producer, ProducerType, VerificationStatus  # noqa: E402
from marketplace.stock.models import Location, LocationKind, StockLevel  # noqa: E402
from marketplace.text import slugify  # noqa: E402

BATCH = 2000

#: What producers make, per product group: the first word(s) of a product name.
KINDS = {
    "1.1": ["Rau cải", "Cam sành", "Bưởi da xanh", "Vải thiều", "Nhãn lồng", "Trứng gà ta", "Cá rô đồng", "Xoài cát"],
    "1.2": ["Gạo thơm", "Gạo nếp cái hoa vàng", "Gạo lứt", "Mật ong rừng", "Mật ong hoa nhãn", "Hạt sen khô"],
    "1.3": ["Bánh đa", "Bánh chưng", "Giò lụa", "Chả cá", "Miến dong", "Kẹo lạc", "Mứt gừng", "Bánh pía", "Cốm"],
    "1.4": ["Nước mắm", "Nước mắm cốt nhĩ", "Tương bần", "Mắm tôm", "Muối ớt", "Tương ớt", "Mắm ruốc"],
    "1.5": ["Chè búp", "Trà shan tuyết", "Trà xanh", "Trà hoa vàng", "Trà atiso", "Trà sen"],
    "1.6": ["Cà phê Robusta", "Cà phê Arabica", "Ca cao bột", "Cà phê chồn"],
    "2.1": ["Rượu nếp", "Rượu ngô", "Rượu sim", "Rượu mơ"],
    "2.2": ["Nước khoáng", "Nước cốt gừng", "Nước ép chanh leo", "Siro dâu tằm"],
    "3.1": ["Cao cà gai leo", "Viên nghệ mật ong", "Đông trùng hạ thảo", "Cao atiso"],
    "3.2": ["Xà phòng thảo dược", "Dầu gội bồ kết", "Son dầu dừa"],
    "3.3": ["Tinh dầu quế", "Tinh dầu sả chanh", "Tinh dầu tràm", "Tinh dầu bưởi"],
    "4.1": ["Bình gốm", "Bộ ấm chén", "Giỏ mây", "Đèn tre", "Tranh sơn mài", "Chiếu cói", "Túi cỏ bàng"],
    "4.2": ["Khăn lụa", "Áo thổ cẩm", "Vải lanh", "Chăn tơ tằm"],
    "5.1": ["Lan hồ điệp", "Hoa đào", "Cúc mâm xôi"],
    "5.2": ["Bonsai sanh", "Cây quất cảnh", "Mai vàng"],
    "5.3": ["Cá cảnh", "Chim chào mào"],
    "6.1": ["Du lịch cộng đồng", "Homestay", "Tour làng nghề", "Trải nghiệm nông trại"],
}
#: Places that end up in product and producer names (villages, islands, mountains, rivers).
PLACES = [
    "Phú Quốc", "Cát Hải", "Bát Tràng", "Vạn Phúc", "Tân Cương", "Suối Giàng", "Mộc Châu", "Sa Pa", "Đồng Văn",
    "Mèo Vạc", "Ba Chẽ", "Vân Đồn", "Cô Tô", "Lục Ngạn", "Hưng Yên", "Thụy Anh", "Hải Hậu", "Kim Sơn", "Nga Sơn",
    "Thường Xuân", "Quỳ Hợp", "Hương Sơn", "Cam Lộ", "Hội An", "Nam Ô", "Lý Sơn", "Ba Tơ", "Krông Pắc", "Buôn Đôn",
    "Bảo Lộc", "Đà Lạt", "Ninh Thuận", "Bến Lức", "Cái Bè", "Chợ Lách", "Mỏ Cày", "Cầu Kè", "Trà Cú", "Vĩnh Châu",
    "Hòn Đất", "Tri Tôn", "Cần Giờ", "Củ Chi", "Đường Lâm", "Cự Đà", "Ước Lễ", "Phú Thượng", "Hạ Thái", "Chu Đậu",
    "Thanh Hà", "Yên Tử", "Hoàng Su Phì", "Na Rì", "Nguyên Bình", "Trùng Khánh", "Điện Biên", "Tam Đường", "Tây Giang",
]
QUALIFIERS = ["", "", "đặc biệt", "truyền thống", "hữu cơ", "thượng hạng", "gia truyền", "loại 1", "xuất khẩu",
              "40 độ đạm", "làng nghề", "sạch"]
UNITS = ["chai 500ml", "hộp 200g", "gói 500g", "túi 1kg", "hũ 300g", "hộp quà", "chiếc", "bộ", "lọ 50ml", "thùng 5kg"]
SENTENCES = [
    "Sản phẩm được làm thủ công theo cách truyền thống của làng nghề.",
    "Đặc sản của địa phương, được nhiều du khách chọn làm quà biếu.",
    "Nguyên liệu thu hái tại vùng trồng được kiểm soát, không dùng chất bảo quản.",
    "Đóng gói hút chân không, bảo quản nơi khô ráo, thoáng mát.",
    "Hợp tác xã liên kết với hàng trăm hộ nông dân trong vùng.",
    "Hương vị đậm đà, màu sắc tự nhiên, phù hợp cho bữa cơm gia đình.",
    "Quy trình sản xuất đạt tiêu chuẩn VietGAP và được truy xuất nguồn gốc.",
    "Món quà quê mang câu chuyện của người dân bản địa.",
    "Thích hợp làm quà tặng dịp Tết và các ngày lễ.",
    "Sản phẩm đã tham gia nhiều hội chợ xúc tiến thương mại.",
]
TYPE_PREFIX = {
    ProducerType.COOPERATIVE: "Hợp tác xã", ProducerType.COOPERATIVE_GROUP: "Tổ hợp tác",
    ProducerType.ENTERPRISE: "Công ty TNHH", ProducerType.HOUSEHOLD: "Cơ sở",
}
ACTIVITIES = ["Nông sản", "Dịch vụ nông nghiệp", "Chế biến thực phẩm", "Làng nghề", "Sản xuất và thương mại",
              "Đặc sản", "Thủ công mỹ nghệ", "Dược liệu", "Chè", "Gốm sứ"]
#: Groups weighted roughly as the real catalogue: mostly food.
GROUP_WEIGHTS = {"1.1": 8, "1.2": 8, "1.3": 22, "1.4": 8, "1.5": 9, "1.6": 4, "2.1": 5, "2.2": 2, "3.1": 6, "3.2": 2,
                 "3.3": 3, "4.1": 9, "4.2": 3, "5.1": 2, "5.2": 2, "5.3": 1, "6.1": 3}
SCORE_BANDS = {3: (50, 69), 4: (70, 89), 5: (90, 100)}


def build_producers(rng: random.Random, count: int, now: datetime) -> list[dict]:
    provinces = [place.code for place in geo.provinces()]
    types = list(ProducerType)
    rows = []
    for index in range(1, count + 1):
        producer_type = rng.choices(types, weights=[33, 8, 25, 34])[0]
        province_code = rng.choice(provinces)
        old_province_code = rng.choice(old_provinces.parts_of(province_code)).code
        communes = geo.wards(province_code)
        commune = rng.choice(communes)
        name = f"{TYPE_PREFIX[producer_type]} {rng.choice(ACTIVITIES)} {rng.choice(PLACES)} {index}"
        verified = rng.random() >= 0.03
        rows.append({
            "id": index, "slug": f"{slugify(name, 100)}-s{index}", "name": name, "legal_name": name,
            "type": producer_type, "registration_number": f"SYN-{index:06d}", "province_code": province_code,
            "old_province_code": old_province_code, "ward_code": commune.code, "address": f"Số {rng.randint(1, 300)}, {commune.name}",
            "phone": f"0901{index:06d}", "story": f"{name} ({commune.name}). Dữ liệu tổng hợp cho đo hiệu năng.",
            "verification_status": VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING,
            "verified_at": now if verified else None, "shipping_fee_vnd": 30000, "is_demo": True,
            "created_at": now, "updated_at": now,
        })
    return rows


def build_products(rng: random.Random, count: int, producers: list[dict], today: date, now: datetime):
    """Products, their certificates (id = product id for the current one) and stock quantities."""
    groups = list(GROUP_WEIGHTS)
    weights = list(GROUP_WEIGHTS.values())
    products, certificates, quantities = [], [], []
    extra_certificates = []
    for index in range(1, count + 1):
        producer = producers[(index * 7919) % len(producers)]
        group_code = rng.choices(groups, weights=weights)[0]
        group = categories.get(group_code)
        name = " ".join(part for part in (rng.choice(KINDS[group_code]), rng.choice(PLACES), rng.choice(QUALIFIERS)) if part)
        description = " ".join(rng.sample(SENTENCES, 3))
        stars = rng.choices([3, 4, 5], weights=[60, 33, 7])[0]
        expired = rng.random() < 0.03
        if expired:
            decision_date = date(2021, 1, 1) + timedelta(days=rng.randint(0, 800))
        else:
            decision_date = today - timedelta(days=rng.randint(10, 1000))
        valid_until = default_valid_until(decision_date)
        status = ProductStatus.DRAFT if rng.random() < 0.02 else ProductStatus.ACTIVE
        product = {
            "id": index, "producer_id": producer["id"], "slug": f"{slugify(name, 120)}-p{index}", "name": name,
            "description": description, "group_code": group_code, "set_code": group.children[0].code,
            "unit": rng.choice(UNITS), "price_vnd": rng.randint(15, 2500) * 1000, "status": status,
            "sku": f"SYN-{index:06d}", "barcode": None, "is_featured": rng.random() < 0.01,
            "sold_quantity": int(rng.paretovariate(1.5) * 3), "current_certificate_id": None,
            "star_level": stars, "certified_until": valid_until,
            "created_at": now - timedelta(minutes=count - index), "updated_at": now,
        }
        # The app's own indexing, fed with duck-typed rows instead of ORM objects.
        holder = SimpleNamespace(
            name=name, description=description, group_code=group_code, unit=product["unit"],
            producer=SimpleNamespace(name=producer["name"], province_code=producer["province_code"],
                                     old_province_code=producer["old_province_code"]),
        )
        index_product(holder)
        product["search_name"], product["search_body"] = holder.search_name, holder.search_body
        products.append(product)
        low, high = SCORE_BANDS[stars]
        certificates.append(_certificate(index, index, stars, rng.randint(low, high), decision_date, valid_until,
                                         producer, now))
        if rng.random() < 0.1:
            # An older, superseded certificate: the history a re-evaluated product has.
            older = decision_date - timedelta(days=1100)
            extra_certificates.append(_certificate(None, index, 3, rng.randint(50, 69), older, default_valid_until(older),
                                                   producer, now))
        quantities.append(0 if rng.random() < 0.1 else rng.randint(1, 250))
    return products, certificates + _number(extra_certificates, count + 1), quantities


def _number(rows: list[dict], first: int) -> list[dict]:
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    return rows


def _certificate(certificate_id, product_id, stars, score, decision_date, valid_until, producer, now) -> dict:
    ministry = stars == 5
    province = geo.province_name(producer["province_code"])
    return {
        "id": certificate_id, "product_id": product_id, "star_level": stars, "score": score,
        "decision_number": f"{(product_id * 37) % 3000 + 1}/QĐ-{'BNNMT' if ministry else 'UBND'}",
        "decision_date": decision_date,
        "issuing_level": IssuingLevel.MINISTRY if ministry else IssuingLevel.PROVINCE,
        "authority": "Bộ Nông nghiệp và Môi trường" if ministry else f"UBND {province}",
        "issuing_province_name": province, "criteria_version": "148/QĐ-TTg", "evaluation_kind": EvaluationKind.NEW,
        "valid_until": valid_until, "status": CertificateStatus.VALID, "is_potential_five_star": False,
        "verification_code": secrets.token_urlsafe(12), "verified_at": now, "created_at": now,
    }


def insert(connection, table: sa.Table, rows: list[dict]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        copy_rows(connection, table, rows)
        return
    for start in range(0, len(rows), BATCH):
        connection.execute(table.insert(), rows[start:start + BATCH])


def copy_rows(connection, table: sa.Table, rows: list[dict]) -> None:
    """COPY the rows into the table (PostgreSQL): 10-20 times faster than executemany inserts at 200,000.

    Statement-level triggers (search_words) fire once for the whole COPY, as for one INSERT."""
    names = list(rows[0])
    # The model's Python-side defaults (an INSERT through SQLAlchemy applies them, COPY does not).
    defaults = {column.name: column.default.arg if column.default.is_scalar else column.default.arg(None)
                for column in table.c if column.name not in names and column.default is not None
                and (column.default.is_scalar or column.default.is_callable)}
    names += list(defaults)
    rows = [row | defaults for row in rows] if defaults else rows
    columns = [table.c[name] for name in names]
    processors = [column.type.bind_processor(connection.dialect) for column in columns]
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([process(row[name]) if process and row[name] is not None else row[name]
                            for name, process in zip(names, processors, strict=True)])


def load(products_count: int, producers_count: int, seed: int) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    from marketplace.dates import today_vn

    today = today_vn()
    app = create_app()
    with app.app_context(), db.engine.begin() as connection:
        if connection.execute(sa.select(sa.func.count()).select_from(Producer.__table__)).scalar_one():
            sys.exit("The database already holds producers: load the synthetic catalogue into an empty one.")
        started = time.monotonic()
        producers = build_producers(rng, producers_count, now)
        products, certificates, quantities = build_products(rng, products_count, producers, today, now)
        insert(connection, Producer.__table__, producers)
        insert(connection, Location.__table__, [
            {"id": p["id"], "kind": LocationKind.WAREHOUSE, "name": p["name"], "producer_id": p["id"],
             "province_code": p["province_code"], "address": p["address"], "created_at": now}
            for p in producers
        ])
        insert(connection, Product.__table__, products)
        insert(connection, Certificate.__table__, certificates)
        # Every product's current certificate was given the product's own id.
        connection.execute(sa.update(Product.__table__).values(current_certificate_id=Product.__table__.c.id))
        insert(connection, StockLevel.__table__, [
            {"id": product["id"], "product_id": product["id"], "location_id": product["producer_id"],
             "quantity": quantity, "updated_at": now}
            for product, quantity in zip(products, quantities, strict=True)
        ])
        if connection.dialect.name == "postgresql":
            for table in ("producers", "locations", "products", "certificates", "stock_levels"):
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))
        elapsed = time.monotonic() - started
    with app.app_context():
        # Planner statistics and a vacuumed table, as a real database has them once autovacuum has run:
        # after a bulk load PostgreSQL's GIN index still holds its pending list (a search then rechecks
        # twice the rows). VACUUM cannot run inside a transaction, hence autocommit.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("VACUUM ANALYZE"))
            else:
                connection.execute(sa.text("ANALYZE"))
    print(f"Loaded {len(producers)} producers, {len(products)} products, {len(certificates)} certificates "
          f"in {elapsed:.1f} s.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--producers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    load(args.products, args.producers, args.seed)


if __name__ == "__main__":
    main()
