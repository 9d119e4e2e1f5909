"""Buying: carts, checkout, orders split into one sub-order per producer shop, and the order state machine.

cart.py (the cart's lines), pricing.py (what it costs), addresses.py, checkout.py (place_order: one call),
status.py (the pipeline as data), lifecycle.py (change_status, the one writer, and the producer actions),
queries.py (reading, ownership loaders), labels.py, notifications.py (e-mail), unconfirmed.py (cash-on-delivery
orders the shop did not confirm in time, cancelled by `flask orders expire-unconfirmed`).

Orders call stock, ledger and mail; they never import payments, settlements or reports. Money actions on
an order (paying, refunding on cancel, cash collected at the door, expiring unpaid orders) live in
payments and call orders.lifecycle.change_status. The view modules compose the two.
"""
