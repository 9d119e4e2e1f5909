"""Discount codes (vouchers): their terms, the refusals a buyer reads, atomic use limits and giving a use back.

What this package owns:
- `models.py`: Voucher (percentage, fixed VND or free shipping; minimum order; validity days in Vietnam
  time; total and per-buyer limits; optionally one producer's products, a product set or first orders; who
  bears the cost), its status events, the per-buyer use counters and one redemption row per order;
- `status.py`: active/paused and the transition table; `services.py` the one status writer and creating codes;
- `rules.py`: which products a voucher applies to and every refusal ("expired", "used up", ...) as a
  VoucherRefused with a message in the buyer's language;
- `redemptions.py`: taking a use at checkout (conditional UPDATEs, never read-then-write) and giving it
  back exactly once when the order is cancelled unpaid.

What it does not own: the money arithmetic (orders.pricing computes the discount and splits it over the
shops and lines) and orders themselves (orders.checkout calls redeem, orders.lifecycle calls release). It
imports no orders module: the redemption row refers to the order by its id only.
"""
