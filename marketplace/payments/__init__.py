"""Payments: one provider interface (card by Stripe Checkout, cash on delivery, bank transfer by VietQR),
append-only payment attempts, verified and idempotent provider webhooks, and the bank statement import.

Only payments/stripe_gateway.py imports stripe.
"""
