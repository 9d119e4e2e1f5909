"""Sales figures for producers, read only from the sales ledger (and stock levels for low-stock alerts).

Nothing here writes; nothing else imports this package.
"""
