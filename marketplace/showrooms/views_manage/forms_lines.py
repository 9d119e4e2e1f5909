"""Reading the rows of the delivery, receipt, return and count forms (numbers with parse_int only).

Each reader returns what it understood and a list of messages; a form with any message changes nothing.
"""

from flask_babel import gettext as _

from marketplace.dates import parse_date, today_vn
from marketplace.inputs import MAX_ID, parse_int
from marketplace.showrooms.consignments import MAX_LINE_QUANTITY, DeliveryLine
from marketplace.showrooms.lots import check_dates

#: How many product rows the delivery form offers.
DELIVERY_ROWS = 8


def _units(text, *, low: int) -> int | None:
    return parse_int(text, minimum=low, maximum=MAX_LINE_QUANTITY)


def units_message(row_label: str, low: int = 1) -> str:
    return _("%(row)s: enter a whole number of units from %(low)s to %(high)s.", row=row_label, low=low,
             high=MAX_LINE_QUANTITY)


def delivery_lines(form, product_ids: set[int]) -> tuple[list[DeliveryLine], list[str]]:
    """The filled rows of a delivery form; rows left wholly empty are skipped."""
    lines, errors = [], []
    for i in range(DELIVERY_ROWS):
        raw = {name: (form.get(f"{name}_{i}") or "").strip()
               for name in ("product", "quantity", "lot", "best_before", "produced_on")}
        if not any(raw.values()):
            continue
        row = _("Line %(n)s", n=i + 1)
        product_id = parse_int(raw["product"], minimum=1, maximum=MAX_ID)
        if product_id is None or product_id not in product_ids:
            errors.append(_("%(row)s: choose one of the products.", row=row))
        quantity = _units(raw["quantity"], low=1)
        if quantity is None:
            errors.append(units_message(row))
        if not raw["lot"]:
            errors.append(_("%(row)s: enter the lot code printed on the pack.", row=row))
        best_before = parse_date(raw["best_before"]) if raw["best_before"] else None
        if raw["best_before"] and best_before is None:
            errors.append(_("%(row)s: the best-before date is not a date (dd/mm/yyyy).", row=row))
        produced_on = parse_date(raw["produced_on"]) if raw["produced_on"] else None
        if raw["produced_on"] and produced_on is None:
            errors.append(_("%(row)s: the production date is not a date (dd/mm/yyyy).", row=row))
        problem = check_dates(produced_on, best_before, today_vn())
        if problem:
            errors.append(_("%(row)s: %(problem)s", row=row, problem=problem))
        if product_id in product_ids and quantity is not None and raw["lot"]:
            lines.append(DeliveryLine(product_id, quantity, raw["lot"], best_before, produced_on))
    if not lines and not errors:
        errors.append(_("Add at least one product with its quantity."))
    return lines, errors


def keyed_units(form, prefix: str, keys, *, low: int, labels: dict[int, str],
                skip_empty: bool = False) -> tuple[dict[int, int], list[str]]:
    """`<prefix>_<key>` fields as whole numbers (key -> units); empty fields are skipped with skip_empty."""
    values, errors = {}, []
    for key in keys:
        raw = (form.get(f"{prefix}_{key}") or "").strip()
        if not raw and skip_empty:
            continue
        units = _units(raw, low=low)
        if units is None:
            errors.append(units_message(labels.get(key, str(key)), low))
        else:
            values[key] = units
    return values, errors
