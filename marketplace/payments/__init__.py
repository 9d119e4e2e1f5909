"""Payments: one provider interface (card by Stripe Checkout, cash on delivery, bank transfer by VietQR,
the VNPAY and MoMo e-wallets),
append-only payment attempts, verified and idempotent provider webhooks, and the bank statement import.

One module per job: providers.py (the interface and registry), card.py (Stripe Checkout), cash.py (cash on
delivery), bank_transfer.py + vietqr.py + bank_statement.py (bank transfers), fulfilment.py (money arrived:
the order becomes paid), refunds.py (cancel and refund), expiry.py (unpaid orders past their time),
stripe_events.py + webhooks.py (Stripe's webhook), status.py + records.py (payment rows and the one writer
of Payment.status), vnpay.py + momo.py + wallets.py + wallet_notifications.py (the e-wallets: signing,
results, IPN). Payments call orders (lifecycle.change_status); orders never import payments.

Only payments/stripe_gateway.py imports stripe.
"""
