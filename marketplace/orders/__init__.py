"""Buying: carts, checkout, orders split into one sub-order per producer shop, and the order state machine.

Orders own their status pipeline (status.py) and call stock, ledger and mail services; they do not
know any payment provider (payments calls orders.services, never the other way round, except through
the provider registry in payments.providers).
"""
